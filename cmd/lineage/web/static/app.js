// lineage serve: search completion and tree status. No framework, no
// third-party code; the page works without it (plain form submits).
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("completions");
  var timer = null, last = "";

  function complete() {
    var q = input.value.trim();
    if (q === last || q.length < 2) { return; }
    last = q;
    fetch("/api/complete?limit=10&q=" + encodeURIComponent(q))
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (ids) {
        if (input.value.trim() !== q) { return; }
        list.textContent = "";
        ids.forEach(function (id) {
          var o = document.createElement("option");
          o.value = id;
          list.appendChild(o);
        });
        list.setAttribute("data-for", q);
      })
      .catch(function () {});
  }

  if (input && list) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(complete, 120);
    });
    // A query in the address bar of the home page (/?q=...) prefills the box.
    var pre = new URLSearchParams(location.search).get("q");
    if (pre && location.pathname === "/") { input.value = pre; complete(); }
  }

  // Tree: say when the drawing is there, or why not.
  var img = document.getElementById("tree-img");
  if (img) {
    var done = function () { img.setAttribute("data-loaded", String(img.naturalWidth)); };
    var fail = function () { img.setAttribute("data-error", "1"); };
    if (img.complete && img.naturalWidth > 0) { done(); }
    else { img.addEventListener("load", done); img.addEventListener("error", fail); }
  }

  // Redraw the tree as soon as a control changes.
  var controls = document.querySelector(".tree-controls");
  if (controls) {
    controls.addEventListener("change", function () { controls.submit(); });
  }
})();
