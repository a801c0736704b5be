package analytics

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lineage-project/lineage/lineage/modelid"
)

//go:embed origins.csv
var originsCSV []byte

// OriginsVersion is the version of the embedded origins table. It changes
// whenever a row of origins.csv is added, removed or corrected; the table's
// hash (Origins.Hash) identifies the exact rows in use.
const OriginsVersion = "origins-2026.12.1"

// Unknown is the bucket of everything the origins table cannot place: an
// organisation that is not in the table, a row without a country, a legacy
// model id without an organisation.
const Unknown = "unknown"

// The kinds of organisation an origins row may name.
const (
	KindCompany    = "company"
	KindLab        = "lab"
	KindUniversity = "university"
	KindCommunity  = "community"
	// KindRehost is a namespace that mostly re-hosts other organisations'
	// weights (re-uploads, quantizations, format conversions). It has no
	// country of its own: a re-hosted foundation's origin is the origin
	// of the model it re-hosts (Scope.Rehosted), else Unknown.
	KindRehost = "rehost"
)

var originKinds = []string{KindCompany, KindLab, KindUniversity, KindCommunity, KindRehost}

// ErrOrigins is wrapped by every error about an origins table.
var ErrOrigins = errors.New("invalid origins table")

// Origin is one row of the origins table.
type Origin struct {
	Org     string `json:"org"`               // Hub namespace, as spelled in the table
	Name    string `json:"name"`              // organisation name
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2, "" when none is stated
	Kind    string `json:"kind"`              // company, lab, university, community or rehost
	Source  string `json:"source,omitempty"`  // public page the row was taken from
	Note    string `json:"note,omitempty"`    // team, project or role behind the namespace
}

// Origins is an origins table: rows by Hub organisation
// (case-insensitively), a version and a hash of its rows. It is immutable
// and safe for concurrent use.
type Origins struct {
	rows    map[string]Origin // by lower-case org
	version string
	files   []string
	hash    string
}

var defaultOrigins = func() *Origins {
	rows, err := ParseOrigins(bytes.NewReader(originsCSV), "origins.csv")
	if err != nil {
		panic("lineage: embedded " + err.Error()) // the embedded table is tested
	}
	return newOrigins(rows, OriginsVersion, nil)
}()

// DefaultOrigins returns the embedded origins table.
func DefaultOrigins() *Origins { return defaultOrigins }

// NewOrigins returns a table of rows (a later row replaces an earlier one
// of the same organisation) under a version string of the caller's
// choosing. Rows are not validated: ParseOrigins does that.
func NewOrigins(rows []Origin, version string) *Origins { return newOrigins(rows, version, nil) }

func newOrigins(rows []Origin, version string, files []string) *Origins {
	o := &Origins{rows: make(map[string]Origin, len(rows)), version: version, files: files}
	for _, r := range rows {
		o.rows[strings.ToLower(r.Org)] = r
	}
	h := sha256.New()
	for _, r := range o.Rows() {
		fmt.Fprintf(h, "%s\t%s\t%s\t%s\t%s\t%s\n", strings.ToLower(r.Org), r.Name, r.Country, r.Kind, r.Source, r.Note)
	}
	o.hash = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return o
}

// With returns a new table holding o's rows plus rows, a row of rows
// replacing o's row of the same organisation. name (a file name) is
// recorded in the version string, so that a manifest shows the table was
// changed.
func (o *Origins) With(rows []Origin, name string) *Origins {
	all := make([]Origin, 0, len(o.rows)+len(rows))
	for _, r := range o.rows {
		all = append(all, r)
	}
	all = append(all, rows...) // later rows win in newOrigins
	return newOrigins(all, o.version, append(slices.Clone(o.files), name))
}

// Lookup returns the row of a Hub organisation, case-insensitively.
func (o *Origins) Lookup(org string) (Origin, bool) {
	r, ok := o.rows[strings.ToLower(org)]
	return r, ok
}

// Len returns the number of rows.
func (o *Origins) Len() int { return len(o.rows) }

// Rows returns every row, sorted by organisation case-insensitively.
func (o *Origins) Rows() []Origin {
	out := make([]Origin, 0, len(o.rows))
	for _, r := range o.rows {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Origin) int { return modelid.Compare(a.Org, b.Org) })
	return out
}

// Version returns the table's version: OriginsVersion, followed by
// "+FILE" for every file of rows added with With.
func (o *Origins) Version() string {
	v := o.version
	for _, f := range o.files {
		v += "+" + f
	}
	return v
}

// Hash returns "sha256:" and the SHA-256 of the table's rows in a
// canonical form (sorted, tab-separated): it identifies the exact table
// whatever the file's layout.
func (o *Origins) Hash() string { return o.hash }

// Overrides returns the names of the files whose rows were added with With.
func (o *Origins) Overrides() []string { return slices.Clone(o.files) }

// Country returns the country code of the organisation of model id, or
// Unknown.
func (o *Origins) Country(id string) string {
	if r, ok := o.Lookup(OrgOf(id)); ok && r.Country != "" {
		return r.Country
	}
	return Unknown
}

// IsRehost reports whether model id is in a re-host namespace (a row of
// kind rehost).
func (o *Origins) IsRehost(id string) bool {
	r, ok := o.Lookup(OrgOf(id))
	return ok && r.Kind == KindRehost
}

// OrgName returns the organisation name of model id, or Unknown.
func (o *Origins) OrgName(id string) string {
	if r, ok := o.Lookup(OrgOf(id)); ok {
		return r.Name
	}
	return Unknown
}

// OrgOf returns the Hub organisation of a model id: the part before '/', or
// "" for a legacy id without one.
func OrgOf(id string) string {
	if i := strings.IndexByte(id, '/'); i >= 0 {
		return id[:i]
	}
	return ""
}

// ParseOrigins reads an origins table in CSV: a header naming the columns
// org, name, country, kind and source, and optionally note (in any order;
// other columns are ignored), then one row per organisation. Lines starting with # are
// comments. country is empty or an ISO 3166-1 alpha-2 code (upper-cased);
// kind is company, lab, university, community or rehost (which takes no
// country); an empty name means the org. An organisation listed twice is
// an error. name is used in errors.
func ParseOrigins(r io.Reader, name string) ([]Origin, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("parse origins %s: %w: empty file, want a header org,name,country,kind,source", name, ErrOrigins)
	}
	if err != nil {
		return nil, fmt.Errorf("parse origins %s: %w: %v", name, ErrOrigins, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range []string{"org", "name", "country", "kind", "source"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("parse origins %s: %w: header has no %q column (want org,name,country,kind,source)", name, ErrOrigins, c)
		}
	}
	var out []Origin
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse origins %s: %w: %v", name, ErrOrigins, err)
		}
		line, _ := cr.FieldPos(0)
		field := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		o := Origin{Org: field("org"), Name: field("name"), Country: strings.ToUpper(field("country")), Kind: strings.ToLower(field("kind")), Source: field("source"), Note: field("note")}
		where := fmt.Sprintf("parse origins %s:%d", name, line)
		for _, v := range []string{o.Org, o.Name, o.Country, o.Kind, o.Source, o.Note} {
			if strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
				return nil, fmt.Errorf("%s: %w: a field holds a control character: %q", where, ErrOrigins, v)
			}
		}
		if !validOrg(o.Org) {
			return nil, fmt.Errorf("%s: %w: org %q is not a Hub organisation name", where, ErrOrigins, o.Org)
		}
		if prev, dup := seen[strings.ToLower(o.Org)]; dup {
			return nil, fmt.Errorf("%s: %w: org %q is listed twice (first on line %d)", where, ErrOrigins, o.Org, prev)
		}
		seen[strings.ToLower(o.Org)] = line
		if o.Country == strings.ToUpper(Unknown) {
			o.Country = ""
		}
		if o.Country != "" && !(len(o.Country) == 2 && isUpper(o.Country[0]) && isUpper(o.Country[1])) {
			return nil, fmt.Errorf("%s: %w: country %q of %s is not an ISO 3166-1 alpha-2 code (such as US, CN, FR) nor empty", where, ErrOrigins, o.Country, o.Org)
		}
		if !slices.Contains(originKinds, o.Kind) {
			return nil, fmt.Errorf("%s: %w: kind %q of %s is not one of %s", where, ErrOrigins, o.Kind, o.Org, strings.Join(originKinds, ", "))
		}
		if o.Kind == KindRehost && o.Country != "" {
			return nil, fmt.Errorf("%s: %w: %s is a re-host namespace (kind rehost) and has no country of its own; leave country empty (got %s)", where, ErrOrigins, o.Org, o.Country)
		}
		if o.Name == "" {
			o.Name = o.Org
		}
		if strings.EqualFold(o.Name, Unknown) {
			return nil, fmt.Errorf("%s: %w: %q is reserved for the unknown bucket", where, ErrOrigins, o.Name)
		}
		out = append(out, o)
	}
	return out, nil
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// validOrg accepts a Hub namespace: letters, digits, '-', '_', '.', not
// starting with a punctuation character.
func validOrg(s string) bool {
	if s == "" || len(s) > 96 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '-' || c == '_' || c == '.') && i > 0:
		default:
			return false
		}
	}
	return true
}

// countryNames names the countries of the embedded table (and a few more)
// for display; any other code is shown as is.
var countryNames = map[string]string{
	"AE": "United Arab Emirates", "AU": "Australia", "BR": "Brazil", "CA": "Canada", "CH": "Switzerland",
	"CN": "China", "DE": "Germany", "ES": "Spain", "FI": "Finland", "FR": "France", "GB": "United Kingdom",
	"HK": "Hong Kong", "IL": "Israel", "IN": "India", "IT": "Italy", "JP": "Japan", "KR": "South Korea",
	"LB": "Lebanon", "MY": "Malaysia", "NL": "Netherlands", "NO": "Norway", "PL": "Poland", "PT": "Portugal", "RU": "Russia",
	"SA": "Saudi Arabia", "SE": "Sweden", "SG": "Singapore", "TH": "Thailand", "TW": "Taiwan", "US": "United States", "VN": "Vietnam",
}

// CountryName returns the English name of an ISO 3166-1 alpha-2 code, the
// code itself when it is not one the package names, and "unknown" for
// Unknown.
func CountryName(code string) string {
	if n, ok := countryNames[code]; ok {
		return n
	}
	return code
}

// sortKeysUnknownLast orders keys by weight descending, then
// case-insensitively, with Unknown last.
func sortKeysUnknownLast(keys []string, weight func(string) float64) {
	slices.SortFunc(keys, func(a, b string) int {
		if (a == Unknown) != (b == Unknown) {
			if a == Unknown {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(weight(b), weight(a)), modelid.Compare(a, b))
	})
}
