package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// Main wires flags and environment to the packages. It holds no global
// state, so tests run it like the binary.
type Main struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Getenv         func(string) string
	templates      *layout.Set

	// addr is where serve listens once ready (":0" in tests picks a port);
	// ready, when set, is closed then.
	addr  string
	ready chan struct{}
}

// NewMain returns a Main writing to the given streams.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{Stdout: stdout, Stderr: stderr, Stdin: os.Stdin, Getenv: os.Getenv}
}

const usage = `用法 / usage: shenbao <command> [flags]

  check FILE...            读取并检查申报表 / read and check applications
  editions [--fields ID]   列出表格版本或某版本的字段 / list editions or a template's fields
  criteria [--profile P]   列出检查规则 / list the rule sets and rules
  serve [--addr A]         运行服务（API、队列、审核页面）/ run the service (API, queue, review pages)
  worker                   只运行队列处理进程 / run queue workers only (PostgreSQL, scale-out)
  user add NAME --role R   创建账号（首个管理员只能这样创建）/ add an account (the only way to make the first admin)
  user disable|enable NAME 停用/启用账号（停用即刻生效）/ disable or enable an account (at once)
  user passwd NAME         修改密码并结束其全部会话 / set a password and end the account's sessions
  token create USER        为脚本创建 API 令牌（默认 90 天后失效）/ create an API token for scripts (expires in 90 days)
  token list [USER]        列出令牌 / list tokens
  token revoke ID          吊销令牌 / revoke a token

  密码、会话密钥、数据库地址请用环境变量（SHENBAO_PASSWORD、SHENBAO_SESSION_KEY、
  SHENBAO_DATABASE_URL）传入：命令行参数在 ps 中人人可见。/ Pass the password, the session
  key and the database URL in the environment: command-line flags show in ps.
`

// Run executes one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return &shenbao.Error{Code: "usage", Message: "缺少命令 / missing command"}
	}
	set, err := layout.Load()
	if err != nil {
		return fmt.Errorf("load templates: %w", err)
	}
	m.templates = set
	switch args[0] {
	case "check":
		return m.check(ctx, args[1:])
	case "editions":
		return m.editions(args[1:])
	case "criteria":
		return m.criteria(args[1:])
	case "serve":
		return m.serve(ctx, args[1:])
	case "worker":
		return m.worker(ctx, args[1:])
	case "user":
		return m.user(ctx, args[1:])
	case "token":
		return m.token(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return &shenbao.Error{Code: "usage", Message: fmt.Sprintf("未知命令 %q / unknown command %q", args[0], args[0])}
}

// parse parses flags, then fills every flag not given on the command line
// from SHENBAO_<NAME> (upper case, '-' → '_'): one rule for all flags.
func (m *Main) parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(m.Stderr)
	if err := parseAnywhere(fs, args); err != nil {
		return &shenbao.Error{Code: "usage", Message: err.Error()}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := m.Getenv(EnvName(f.Name)); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = &shenbao.Error{Code: "usage", Message: fmt.Sprintf("%s=%q: %v", EnvName(f.Name), v, e)}
			}
		}
	})
	return err
}

// parseAnywhere parses flags wherever they stand among the arguments —
// `check DIR --out r.csv` as `check --out r.csv DIR`, as users type them —
// and leaves the rest, in order, as fs.Args(). The standard parser stops
// at the first non-flag and took --out and r.csv for files. "--" ends the
// flags: what follows is arguments even if it starts with -; a flag
// without its value is an error naming it.
func parseAnywhere(fs *flag.FlagSet, args []string) error {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		left := fs.Args()
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			rest = append(rest, left...)
			break
		}
		if len(left) == 0 {
			break
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
	// Leave exactly rest as the arguments; "--" sets no flag.
	return fs.Parse(append([]string{"--"}, rest...))
}

// readLine reads one line from stdin after a prompt on stderr.
func (m *Main) readLine(prompt string) (string, error) {
	fmt.Fprint(m.Stderr, prompt)
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", &shenbao.Error{Code: "usage", Message: "未读到密码 / no password given"}
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// EnvName derives a flag's environment variable.
func EnvName(flagName string) string {
	return "SHENBAO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (m *Main) editions(args []string) error {
	fs := flag.NewFlagSet("editions", flag.ContinueOnError)
	fields := fs.String("fields", "", "print the fields of this edition's template")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *fields == "" {
		fmt.Fprintf(m.Stdout, "%-18s %-12s %-5s %-9s %-6s %s\n", "id", "kind", "year", "edition", "rows", "name")
		for _, t := range m.templates.All() {
			fmt.Fprintf(m.Stdout, "%-18s %-12s %-5d %-9s %-6d %s\n", t.ID, t.Kind, t.Year, t.Edition(), len(t.Rows), t.Name)
		}
		return nil
	}
	t, ok := m.templates.Get(*fields)
	if !ok {
		return shenbao.Errorf(shenbao.ENOTFOUND, "没有版本 %q，可用 `shenbao editions` 查看。/ No edition %q; run `shenbao editions` to list them.", *fields, *fields)
	}
	fmt.Fprintf(m.Stdout, "# %s (%s)\n", t.Name, t.ID)
	fmt.Fprintf(m.Stdout, "%-34s %-12s %-6s %-10s %s\n", "id", "type", "req", "section", "label / column / options")
	for i := range t.Rows {
		r := &t.Rows[i]
		req := "必填"
		if !r.Required() {
			req = "选填"
		}
		switch {
		case r.IsCheckbox():
			fmt.Fprintf(m.Stdout, "%-34s %-12s %-6s %-10s %s: %s\n", r.Key, r.Type, req, short(r.Section), r.FullLabel(), strings.Join(r.Options, " | "))
		case r.Type == layout.TypeLongText:
			fmt.Fprintf(m.Stdout, "%-34s %-12s %-6s %-10s %s (%d字以内)\n", r.Key, r.Type, req, short(r.Section), r.FullLabel(), r.Limit)
		case t.Kind == layout.KindSummary:
			fmt.Fprintf(m.Stdout, "%-34s %-12s %-6s %-10s %s\n", r.Key+".<序号>", r.Type, req, short(r.Section), r.Label)
		default:
			for _, c := range r.Columns {
				fmt.Fprintf(m.Stdout, "%-34s %-12s %-6s %-10s %s %s\n", r.FieldID(c), r.Type, req, short(r.Section), r.FullLabel(), c)
			}
		}
	}
	return nil
}

func short(section string) string {
	r := []rune(section)
	if len(r) > 6 {
		return string(r[:6])
	}
	return section
}
