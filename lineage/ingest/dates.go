package ingest

import (
	"strconv"
	"strings"
	"time"
)

// parseTime reads the date forms found in Hub data: RFC 3339 with or
// without fractional seconds, "YYYY-MM-DD HH:MM:SS[+zz:zz]", a bare date,
// or unix seconds. It returns 0 for empty or unreadable values.
func parseTime(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if t, ok := parseHubTime(s); ok {
		return t, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), true
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 && n < 1e11 {
		return int64(n), true
	}
	return 0, false
}

// parseHubTime parses the Hub API's own form, 2006-01-02T15:04:05.000Z
// (milliseconds optional; their digits are not read), without allocating.
//
// It checks the twenty bytes up to the seconds as three words: xored with
// the pattern ("0000-00-", "00T00:00", ":00."), a digit becomes its value
// and only a digit comes out at most 9 (the top bit of its low seven bits
// plus 0x76, or its own top bit, says it does not; no sum carries into the
// next byte), and a separator in place becomes zero. parseHubTimeBytes, the
// byte-by-byte form, is the reference a test holds it to.
func parseHubTime(s string) (int64, bool) {
	y, mo, d, h, mi, se, ok := hubTimeFields(s)
	if !ok {
		return 0, false
	}
	return unixSeconds(y, mo, d, h, mi, se), true
}

// hubTimeValid reports whether parseHubTime parses s, without converting.
func hubTimeValid(s string) bool {
	_, _, _, _, _, _, ok := hubTimeFields(s)
	return ok
}

// hubTimeFields is parseHubTime before the conversion to unix seconds.
func hubTimeFields(s string) (y, mo, d, h, mi, se int, ok bool) {
	if len(s) != 20 && len(s) != 24 || s[len(s)-1] != 'Z' {
		return 0, 0, 0, 0, 0, 0, false
	}
	const lo7, hi = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	sep := uint64('.')
	if len(s) == 20 {
		sep = 'Z'
	}
	// Little-endian: the first byte is the lowest.
	d0 := le64(s) ^ 0x2d30302d30303030                // "0000-00-"
	d1 := le64(s[8:]) ^ 0x30303a3030543030            // "00T00:00"
	d2 := uint64(le32(s[16:])) ^ (sep<<24 | 0x30303a) // ":00" and '.' or 'Z'
	over := func(d uint64) uint64 { return ((d & lo7) + 0x7676767676767676 | d) & hi }
	seps := d0&0xff0000ff00000000 | d1&0x0000ff0000ff0000 | d2&0xff0000ff // must be exact
	if over(d0)|over(d1)|over(d2)|seps != 0 {
		return 0, 0, 0, 0, 0, 0, false
	}
	digit := func(d uint64, k uint) int { return int(d >> (8 * k) & 0xff) }
	y = digit(d0, 0)*1000 + digit(d0, 1)*100 + digit(d0, 2)*10 + digit(d0, 3)
	mo = digit(d0, 5)*10 + digit(d0, 6)
	d = digit(d1, 0)*10 + digit(d1, 1)
	h = digit(d1, 3)*10 + digit(d1, 4)
	mi = digit(d1, 6)*10 + digit(d1, 7)
	se = digit(d2, 1)*10 + digit(d2, 2)
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59 {
		return 0, 0, 0, 0, 0, 0, false
	}
	return y, mo, d, h, mi, se, true
}

// daysIn returns the number of days of month mo (1-12) of year y in the
// proleptic Gregorian calendar, as time.Parse checks a day.
func daysIn(y, mo int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// le32 reads the first four bytes of s as a little-endian word.
func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// parseHubTimeBytes is parseHubTime byte by byte: the reference.
func parseHubTimeBytes(s string) (int64, bool) {
	if len(s) != 20 && len(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return 0, false
	}
	if len(s) == 24 && s[19] != '.' {
		return 0, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	se, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59 {
		return 0, false
	}
	return unixSeconds(y, mo, d, h, mi, se), true
}

// unixSeconds is time.Date(y, mo, d, h, mi, se, 0, time.UTC).Unix() for
// 1 <= mo <= 12 and 1 <= d <= 31 (a day past the month's end runs into the
// next month, as time.Date normalises it; the parsers reject such days
// first), without time.Date's general normalisation: days from the civil
// date (H. Hinnant's algorithm).
func unixSeconds(y, mo, d, h, mi, se int) int64 {
	if mo <= 2 {
		y--
	}
	era := y / 400
	if y < 0 { // year 0000, January or February
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (mo + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era*146097+doe) - 719468
	return days*86400 + int64(h*3600+mi*60+se)
}

// le64 reads the first eight bytes of s as a little-endian word (the
// compiler makes it one load).
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
