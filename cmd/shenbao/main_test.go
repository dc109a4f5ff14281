package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/store/pgtest"
)

func TestMain(m *testing.M) {
	// Tests re-execute this binary for C-backed jobs.
	child.Main()
	runWorkerIfAsked()
	os.Exit(pgtest.Run(m))
}

func run(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain(&out, &errb)
	m.Getenv = func(k string) string { return env[k] }
	err := m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

func TestCheckJSON(t *testing.T) {
	out, stderr, err := run(t, nil, "check", "--format", "json", "../../testdata/corpus/nat2024_01_docx.docx")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep shenbao.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out[:min(len(out), 500)])
	}
	if rep.Edition.ID != "nat2024" || rep.Format != "docx" || len(rep.SHA256) != 64 {
		t.Errorf("report header: %+v %s %s", rep.Edition, rep.Format, rep.SHA256)
	}
	if len(rep.Fields) < 100 || len(rep.Checkboxes) < 50 || len(rep.Texts) < 5 {
		t.Errorf("fields %d checkboxes %d texts %d", len(rep.Fields), len(rep.Checkboxes), len(rep.Texts))
	}
	// The contract's members are all present, null where there is nothing.
	var raw map[string]any
	json.Unmarshal([]byte(out), &raw)
	for _, k := range []string{"file", "sha256", "format", "edition", "pages", "fields", "checkboxes", "texts", "findings"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
}

func TestCheckText(t *testing.T) {
	out, _, err := run(t, nil, "check", "../../testdata/corpus/cq2024_01_docx.docx")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"版本 cq2024", "【二、主导产业情况】", "集群总产值（亿元） / 2021年", "问题"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
}

func TestCheckBadFiles(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "fake.pdf")
	os.WriteFile(bad, []byte("just text"), 0o644)
	_, stderr, err := run(t, nil, "check", bad, "../../testdata/corpus/nat2024_01_docx.docx", filepath.Join(dir, "missing.docx"))
	if err == nil || exitCode(err) != 3 {
		t.Errorf("err = %v (exit %d), want a document error", err, exitCode(err))
	}
	if !strings.Contains(stderr, "不支持的文件类型") || !strings.Contains(stderr, "missing.docx") {
		t.Errorf("stderr does not name the bad files:\n%s", stderr)
	}
}

func TestEnvFromFlagNames(t *testing.T) {
	if got := EnvName("database-url"); got != "SHENBAO_DATABASE_URL" {
		t.Errorf("EnvName = %s", got)
	}
	_, _, err := run(t, map[string]string{"SHENBAO_FORMAT": "yaml"}, "check", "x.docx")
	if err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("SHENBAO_FORMAT not applied: %v", err)
	}
	_, _, err = run(t, map[string]string{"SHENBAO_PROFILE": "no-such"}, "check", "../../testdata/corpus/nat2024_01_docx.docx")
	if err == nil || !strings.Contains(err.Error(), "no-such") {
		t.Errorf("SHENBAO_PROFILE not applied: %v", err)
	}
}

func TestEditionsAndCriteria(t *testing.T) {
	out, _, err := run(t, nil, "editions")
	if err != nil || !strings.Contains(out, "nat2024-summary") {
		t.Fatalf("editions: %v\n%s", err, out)
	}
	out, _, err = run(t, nil, "editions", "--fields", "nat2024")
	if err != nil || !strings.Contains(out, "total_output.2023") || !strings.Contains(out, "standards.intl.lead.2021") {
		t.Fatalf("editions --fields: %v\n%s", err, out)
	}
	if _, _, err := run(t, nil, "editions", "--fields", "nat1999"); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
		t.Errorf("unknown edition: %v", err)
	}
	out, _, err = run(t, nil, "criteria")
	if err != nil || !strings.Contains(out, "word_limit") {
		t.Fatalf("criteria: %v\n%s", err, out)
	}
	if _, _, err := run(t, nil, "bogus"); exitCode(err) != 2 {
		t.Errorf("unknown command exit %d", exitCode(err))
	}
}

func TestBulkCheck(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"nat2022_01_docx.docx", "nat2023_02_docx.docx"} {
		data, _ := os.ReadFile("../../testdata/corpus/" + f)
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	_, stderr, err := run(t, nil, "check", "--no-cross", "--cache-dir", t.TempDir(), "--out", out, dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || strings.Count(string(data), "\n") != 2 {
		t.Errorf("jsonl: %v %d lines", err, strings.Count(string(data), "\n"))
	}
}

// TestFlagsAnywhere: flags after the files work as before them — the two
// orders write the same results — "--" ends the flags, and a flag missing
// its value is a usage error naming it.
func TestFlagsAnywhere(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"nat2022_01_docx.docx", "nat2023_02_docx.docx"} {
		data, err := os.ReadFile("../../testdata/corpus/" + f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	results := func(args ...string) string {
		t.Helper()
		_, stderr, err := run(t, nil, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		if !strings.Contains(stderr, "2 done, 0 failed") {
			t.Errorf("%v: %s", args, stderr)
		}
		out := args[slices.Index(args, "--out")+1]
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return string(data)
	}
	cache := t.TempDir()
	before := results("check", "--no-cross", "--cache-dir", cache, "--out", filepath.Join(t.TempDir(), "r.csv"), dir)
	after := results("check", dir, "--out", filepath.Join(t.TempDir(), "r.csv"), "--no-cross", "--cache-dir", cache)
	if before != after || strings.Count(before, "\n") != 3 {
		t.Errorf("flags after the folder gave other results:\n%s\nvs\n%s", after, before)
	}

	// After "--" a name starting with - is a file, not a flag.
	_, stderr, err := run(t, nil, "check", "--", "--out")
	if exitCode(err) == 2 {
		t.Errorf("-- did not end the flags: %v %s", err, stderr)
	}
	if !strings.Contains(stderr, "--out") {
		t.Errorf("the file --out was not reported: %s", stderr)
	}
	_, _, err = run(t, nil, "check", dir, "--out")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "out") {
		t.Errorf("--out without its value: %v, want a usage error naming it", err)
	}
}

func TestParseAnywhere(t *testing.T) {
	for _, tc := range []struct {
		args []string
		out  string // --out as parsed
		f    bool   // --force as parsed
		rest string
	}{
		{[]string{"a", "--out", "r.csv", "b"}, "r.csv", false, "a b"},
		{[]string{"--out=r.csv", "a", "--force", "b"}, "r.csv", true, "a b"},
		{[]string{"a", "b", "-force"}, "", true, "a b"},
		{[]string{"a", "--", "--out", "r.csv"}, "", false, "a --out r.csv"},
		{[]string{"--", "-"}, "", false, "-"},
		{[]string{"-", "--force"}, "", true, "-"},
		{nil, "", false, ""},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		out := fs.String("out", "", "")
		force := fs.Bool("force", false, "")
		if err := parseAnywhere(fs, tc.args); err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if *out != tc.out || *force != tc.f || strings.Join(fs.Args(), " ") != tc.rest {
			t.Errorf("%q: out %q force %v rest %q; want %q %v %q", tc.args, *out, *force, fs.Args(), tc.out, tc.f, tc.rest)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("out", "", "")
	if err := parseAnywhere(fs, []string{"a", "--bogus"}); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown flag after a file: %v", err)
	}
}
