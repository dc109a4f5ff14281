package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/criteria"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/extract/soffice"
	"github.com/shenbao/shenbao/pipeline"
)

func (m *Main) check(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	format := fs.String("format", "text", "report format: text or json")
	maxMB := fs.Int64("max-mb", 100, "refuse files larger than this many MB")
	profile := fs.String("profile", "", "rule profile (nat, cq, west, …); default: the edition's own")
	profileFile := fs.String("profile-file", "", "a province's own profile (YAML), used instead of --profile")
	var bo bulkOptions
	fs.StringVar(&bo.out, "out", "", "bulk: write results to this .xlsx, .csv or .jsonl file")
	fs.StringVar(&bo.queueURL, "queue", "", "bulk: enqueue into the service's PostgreSQL queue (postgres://…) for shenbao worker processes")
	fs.StringVar(&bo.batch, "batch", "", "bulk with --queue: the batch name the applications are filed under")
	fs.IntVar(&bo.workers, "workers", 0, "bulk: documents processed at once (default: the core count)")
	fs.StringVar(&bo.cacheDir, "cache-dir", defaultCacheDir(), "where extractions are cached by content hash (bulk) and a passed PP-OCR models probe is remembered")
	fs.BoolVar(&bo.force, "force", false, "bulk: re-extract even what the cache holds")
	fs.BoolVar(&bo.noCross, "no-cross", false, "bulk: skip the checks across applications")
	var of ocrFlags
	of.register(fs)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return &shenbao.Error{Code: "usage", Message: "--format 只能是 text 或 json / --format must be text or json"}
	}
	if fs.NArg() == 0 {
		return &shenbao.Error{Code: "usage", Message: "用法 / usage: shenbao check [--format json] FILE..."}
	}
	p, err := m.pipeline(*profile, *profileFile)
	if err != nil {
		return err
	}
	defer p.Extractor.Close()
	p.Extractor.MaxBytes = *maxMB << 20
	so, err := of.scanOptions(ctx, 0, bo.cacheDir)
	if err != nil {
		return err
	}
	p.Extractor.ScanWith(so)
	if isBulk(fs.Args(), bo) {
		return m.runBulk(ctx, p, fs.Args(), bo)
	}
	var reports []*shenbao.Report
	failed := 0
	for _, path := range fs.Args() {
		rep, err := p.checkFile(ctx, path)
		if err != nil {
			// One bad file never stops the others; it is reported and counted.
			fmt.Fprintf(m.Stderr, "%s: %s\n", path, shenbao.ErrorMessage(err))
			if shenbao.ErrorCode(err) == shenbao.EINTERNAL {
				fmt.Fprintf(m.Stderr, "%s: detail: %v\n", path, err)
			}
			failed++
			continue
		}
		reports = append(reports, rep)
		if *format == "text" {
			writeText(m.Stdout, rep)
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		var v any = reports
		if len(fs.Args()) == 1 && len(reports) == 1 {
			v = reports[0]
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	if failed > 0 {
		return shenbao.Errorf(shenbao.EINVALID, "%d 个文件未能读取（原因见上）。/ %d file(s) could not be read (reasons above).", failed, failed)
	}
	return nil
}

// pipeline wires extraction and the checks for this process.
func (m *Main) pipeline(profile, profileFile string) (*checker, error) {
	ex := extract.New(m.templates)
	ex.Convert = (&soffice.Converter{}).Convert
	configurePDF(ex)
	rules, err := criteria.Load()
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	if profileFile != "" {
		if profile, err = rules.LoadProfileFile(profileFile); err != nil {
			return nil, shenbao.Wrap(shenbao.EINVALID, err, "无法读取规则文件 %s：%v / Cannot load the profile file %s: %v", profileFile, err, profileFile, err)
		}
	}
	if profile != "" {
		if _, ok := rules.ProfileRules(profile); !ok {
			return nil, &shenbao.Error{Code: "usage", Message: fmt.Sprintf("没有规则方案 %q，可选：%s / no profile %q; choose one of: %s", profile, strings.Join(rules.Profiles(), ", "), profile, strings.Join(rules.Profiles(), ", "))}
		}
	}
	return &checker{pipeline.Pipeline{Extractor: ex, Rules: rules, Profile: profile}}, nil
}

// checker runs the pipeline on files.
type checker struct{ pipeline.Pipeline }

func (p *checker) checkFile(ctx context.Context, path string) (*shenbao.Report, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, shenbao.Wrap(shenbao.ENOTFOUND, err, "无法读取文件 %s。/ Cannot read file %s.", path, path)
	}
	if p.Extractor.MaxBytes > 0 && info.Size() > p.Extractor.MaxBytes {
		return nil, shenbao.Errorf(shenbao.ETOOLARGE, "文件超过 %d MB 的上限。/ The file is larger than the %d MB limit.", p.Extractor.MaxBytes>>20, p.Extractor.MaxBytes>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, shenbao.Wrap(shenbao.ENOTFOUND, err, "无法读取文件 %s。/ Cannot read file %s.", path, path)
	}
	return p.Extract(ctx, filepath.Base(path), data)
}

var severityName = map[string]string{
	shenbao.SeverityError: "错误", shenbao.SeverityWarning: "警告", shenbao.SeverityInfo: "提示",
}

// writeText prints a report for a person: the values section by section in
// the form's labels, then the findings.
func writeText(w io.Writer, rep *shenbao.Report) {
	fmt.Fprintf(w, "文件 %s  格式 %s  版本 %s（%s，置信度 %.2f）\n", rep.File, rep.Format, rep.Edition.ID, rep.Edition.Name, rep.Edition.Confidence)
	section := ""
	head := func(s string) {
		if s != section {
			section = s
			fmt.Fprintf(w, "\n【%s】\n", s)
		}
	}
	for _, f := range rep.Fields {
		head(f.Section)
		label := f.Label
		if f.Column != "" {
			label += " / " + f.Column
		}
		v := f.Value
		if v == "" {
			v = "（空）"
		}
		fmt.Fprintf(w, "  %-40s %s\n", label, v)
	}
	groups := map[string][]string{}
	var order []string
	for _, c := range rep.Checkboxes {
		k := c.Section + "\x00" + c.Group
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		mark := "□"
		if c.Checked {
			mark = "☑"
		}
		groups[k] = append(groups[k], mark+c.Option)
	}
	for _, k := range order {
		parts := strings.SplitN(k, "\x00", 2)
		head(parts[0])
		fmt.Fprintf(w, "  %-40s %s\n", parts[1], strings.Join(groups[k], "  "))
	}
	for _, t := range rep.Texts {
		head(t.Section)
		fmt.Fprintf(w, "  %-40s %d/%d 字\n", t.Label, t.Chars, t.Limit)
	}
	fs := append([]shenbao.Finding(nil), rep.Findings...)
	rank := map[string]int{shenbao.SeverityError: 0, shenbao.SeverityWarning: 1, shenbao.SeverityInfo: 2}
	sort.SliceStable(fs, func(i, j int) bool { return rank[fs[i].Severity] < rank[fs[j].Severity] })
	fmt.Fprintf(w, "\n问题 %d 项：\n", len(fs))
	for _, f := range fs {
		fmt.Fprintf(w, "  [%s] %s  %s（%s）\n", severityName[f.Severity], f.Message, f.Rule, f.Basis)
	}
	fmt.Fprintln(w)
}
