// Package table writes tables of text for spreadsheets. Its CSV is the one
// writer for every CSV shenbao produces (the API's export, bulk runs'
// --out), so that what protects one protects both.
package table

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// WriteCSV writes the header and the rows as UTF-8 CSV with a byte-order
// mark, so that Excel opens the Chinese correctly, every cell defused.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(Defuse(header))
	for _, r := range rows {
		cw.Write(Defuse(r))
	}
	cw.Flush()
	return cw.Error()
}

// Defuse keeps a spreadsheet from running a cell as a formula (CSV
// injection): a cell an applicant wrote as =HYPERLINK(…), +, -, @ or
// starting with a tab or carriage return, which spreadsheets also read as
// the start of a formula, gets a leading apostrophe, which Excel and
// LibreOffice show as text. Numbers such as -3.5 stay numbers.
func Defuse(row []string) []string {
	out := make([]string, len(row))
	for i, v := range row {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				v = "'" + v
			}
		}
		out[i] = v
	}
	return out
}
