package layout

import (
	"strings"

	"github.com/shenbao/shenbao"
)

// cellDigits returns the digit reading of a cell (see shenbao.Line.Digits)
// when exactly one of its lines has one that is a number.
func cellDigits(c *shenbao.Cell) (string, float64, bool) {
	var d string
	conf := 0.0
	for _, l := range c.Lines {
		if l.Digits == "" {
			continue
		}
		if d != "" {
			return "", 0, false // two candidates: no telling which
		}
		// A trailing sign is the 个 the digit model read as one.
		d, conf = strings.TrimRight(l.Digits, "+-"), l.DigitsConfidence
	}
	if d == "" || ParseNumber(d) == nil {
		return "", 0, false
	}
	return d, conf, true
}
