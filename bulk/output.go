package bulk

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/table"
)

// Summary is one application's row: what a clerk scans down a list.
type Summary struct {
	File, Edition, Name, Region, Status string
	Year                                int
	Errors, Warnings, Infos             int
	// Repairs counts the values the corrections stage changed.
	Repairs int
	// Key figures of the latest data year.
	TotalOutput, SMEShare, MainCAGR string
}

// Summarize makes an application's row.
func Summarize(rep *shenbao.Report, years map[string][]int) Summary {
	s := Summary{File: rep.File, Edition: rep.Edition.ID, Status: "done", Repairs: len(rep.Repairs)}
	if ys := years[rep.Edition.ID]; len(ys) > 0 {
		s.Year = ys[len(ys)-1]
	}
	val := func(key string, year int) string {
		for _, f := range rep.Fields {
			if f.Key == key && (year == 0 || f.Year == year) {
				return f.Value
			}
		}
		return ""
	}
	s.Name = val("name", 0)
	if s.Name == "" {
		s.Name = val("cover_name", 0)
	}
	if s.Name == "" {
		s.Name = val("sum_name", 0)
	}
	var region []string
	for _, k := range []string{"region_prov", "region_city", "region_county"} {
		if v := val(k, 0); v != "" {
			region = append(region, v)
		}
	}
	s.Region = strings.Join(region, "")
	s.TotalOutput = val("total_output", s.Year)
	s.SMEShare = val("sme_share", s.Year)
	s.MainCAGR = val("main_cagr", 0)
	for _, f := range rep.Findings {
		switch f.Severity {
		case shenbao.SeverityError:
			s.Errors++
		case shenbao.SeverityWarning:
			s.Warnings++
		default:
			s.Infos++
		}
	}
	return s
}

var (
	appHeader     = []string{"文件 file", "版本 edition", "集群名称", "所属地区", "年度 year", "状态 status", "错误 errors", "警告 warnings", "提示 infos", "集群总产值（亿元）", "中小企业产值占比（%）", "主导产业产值年均增速（%）", "识别更正 repairs"}
	findingHeader = []string{"文件 file", "严重程度 severity", "类型 kind", "规则 rule", "栏目 section", "项目 label", "列 column", "说明 message", "依据 basis", "页 page"}
	failureHeader = []string{"文件 file", "错误码 code", "原因 reason"}
)

func (s Summary) row() []string {
	return []string{s.File, s.Edition, s.Name, s.Region, itoa(s.Year), s.Status, strconv.Itoa(s.Errors), strconv.Itoa(s.Warnings), strconv.Itoa(s.Infos), s.TotalOutput, s.SMEShare, s.MainCAGR, strconv.Itoa(s.Repairs)}
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func findingRow(file string, f shenbao.Finding) []string {
	page := ""
	if f.Page != nil {
		page = strconv.Itoa(*f.Page)
	}
	return []string{file, f.Severity, f.Kind, f.Rule, f.Section, f.Label, f.Column, f.Message, f.Basis, page}
}

// tables turns an outcome into the three tables every format writes.
func tables(o *Outcome, fails []Failure, years map[string][]int) (apps, findings, failures [][]string) {
	for _, r := range o.Results {
		switch {
		case r.Report != nil:
			apps = append(apps, Summarize(r.Report, years).row())
			for _, f := range r.Report.Findings {
				findings = append(findings, findingRow(r.Report.File, f))
			}
		case r.Failure != nil:
			fails = append(fails, *r.Failure)
		}
	}
	for _, b := range o.Batch {
		findings = append(findings, findingRow("（批次 batch）"+strings.Join(b.Others, "、"), b.Finding))
	}
	for _, f := range fails {
		failures = append(failures, []string{f.Path, f.Code, f.Err})
	}
	return apps, findings, failures
}

// Write writes the outcome to path, in the format its extension names:
// .xlsx (three sheets), .csv (three files: path, path.findings.csv,
// path.failures.csv) or .jsonl (one line per document).
func Write(path string, o *Outcome, fails []Failure, years map[string][]int) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		return writeXLSX(path, o, fails, years)
	case ".csv":
		apps, findings, failures := tables(o, fails, years)
		base := strings.TrimSuffix(path, filepath.Ext(path))
		if err := writeCSV(path, appHeader, apps); err != nil {
			return err
		}
		if err := writeCSV(base+".findings.csv", findingHeader, findings); err != nil {
			return err
		}
		return writeCSV(base+".failures.csv", failureHeader, failures)
	case ".jsonl":
		return writeJSONL(path, o, fails)
	}
	return shenbao.Errorf(shenbao.EINVALID, "--out 的扩展名须为 .xlsx、.csv 或 .jsonl / --out must end in .xlsx, .csv or .jsonl")
}

// writeAtomic writes through a temp file so an interrupted write never
// leaves a half file under the real name.
func writeAtomic(path string, write func(f *os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".shenbao-out-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func writeCSV(path string, header []string, rows [][]string) error {
	return writeAtomic(path, func(f *os.File) error { return table.WriteCSV(f, header, rows) })
}

func writeJSONL(path string, o *Outcome, fails []Failure) error {
	return writeAtomic(path, func(f *os.File) error {
		bw := bufio.NewWriter(f)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for _, r := range o.Results {
			switch {
			case r.Report != nil:
				enc.Encode(map[string]any{"path": r.Path, "report": r.Report})
			case r.Failure != nil:
				enc.Encode(map[string]any{"path": r.Path, "failure": r.Failure})
			}
		}
		for _, fl := range fails {
			enc.Encode(map[string]any{"path": fl.Path, "failure": fl})
		}
		for _, b := range o.Batch {
			enc.Encode(map[string]any{"batch": b})
		}
		return bw.Flush()
	})
}

func writeXLSX(path string, o *Outcome, fails []Failure, years map[string][]int) error {
	apps, findings, failures := tables(o, fails, years)
	x := excelize.NewFile()
	defer x.Close()
	sheets := []struct {
		name   string
		header []string
		rows   [][]string
	}{
		{"申报表", appHeader, apps},
		{"问题", findingHeader, findings},
		{"失败", failureHeader, failures},
	}
	for i, s := range sheets {
		if i == 0 {
			x.SetSheetName("Sheet1", s.name)
		} else if _, err := x.NewSheet(s.name); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(s.name)
		if err != nil {
			return err
		}
		cells := func(row []string) []any {
			out := make([]any, len(row))
			for i, v := range row {
				out[i] = v
			}
			return out
		}
		sw.SetRow("A1", cells(s.header))
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, cells(row)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return writeAtomic(path, func(f *os.File) error { return x.Write(f) })
}
