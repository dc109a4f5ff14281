package review_test

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/store"
)

const chromiumPath = "/usr/bin/chromium"

// outDir holds the screenshots (git-ignored).
var outDir = filepath.Join("testdata", "out")

//go:embed testdata/a11y.js
var a11yJS string

// browser is one headless Chromium tab, with everything the pages wrote to
// the console as errors.
type browser struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is absent: install Debian's chromium (apt-get install -y chromium) to run the browser tests", chromiumPath)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: Chromium's helpers may still be writing to the
	// profile when the test ends, which would fail the test's cleanup.
	profile, err := os.MkdirTemp("", "review-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 768),
		chromedp.Flag("lang", "zh-CN"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	b := &browser{t: t, ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.errors = append(b.errors, "console.error: "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, "exception: "+ev.ExceptionDetails.Error())
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.LevelError {
				b.errors = append(b.errors, fmt.Sprintf("log: %s %s", ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	// The window size includes the headless window's frame; the page must
	// get the full 1366×768 of a small laptop screen.
	if err := chromedp.Run(ctx, cdplog.Enable(), runtime.Enable(), chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return b
}

func (b *browser) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) eval(what, js string, out any) {
	b.t.Helper()
	b.run(what, chromedp.Evaluate(js, out))
}

// waitFor polls js until it is true.
func (b *browser) waitFor(what, js string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		if err := chromedp.Run(b.ctx, chromedp.Evaluate(js, &ok)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.shot("timeout-" + strings.ReplaceAll(what, " ", "-"))
			b.t.Fatalf("timed out waiting for %s (%s)", what, js)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (b *browser) shot(name string) {
	var png []byte
	if err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot(&png)); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(outDir, name+".png"), png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// noConsoleErrors fails the test if any page so far logged an error.
func (b *browser) noConsoleErrors(page string) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		b.t.Errorf("%s: %s", page, e)
	}
	b.errors = nil
}

// a11yReport is what testdata/a11y.js finds.
type a11yReport struct {
	Problems []string `json:"problems"`
	Checked  struct {
		Inputs, Texts, Focusable int
	} `json:"checked"`
}

// accessible runs the basic checks on the current page: labels on inputs,
// contrast of the text colours, names of controls, images' alt text, the
// page's language, no positive tabindex; then walks the keyboard focus
// order with Tab and checks every stop is visible, named, outlined and in
// document order.
func (b *browser) accessible(page string) {
	b.t.Helper()
	var rep a11yReport
	b.eval("a11y "+page, a11yJS+"; a11yCheck()", &rep)
	for _, p := range rep.Problems {
		b.t.Errorf("%s: accessibility: %s", page, p)
	}
	if rep.Checked.Texts == 0 {
		b.t.Errorf("%s: accessibility check saw no text", page)
	}
	b.run("focus start "+page, chromedp.Evaluate(`document.activeElement && document.activeElement.blur(); window.scrollTo(0,0); true`, nil))
	var prev float64 = -1
	for i := 0; i < 12; i++ {
		b.run("tab", chromedp.KeyEvent("\t"))
		var stop struct {
			Tag, Name string
			Index     float64
			Visible   bool
			Outlined  bool
		}
		b.eval("focus "+page, `focusStop()`, &stop)
		if stop.Tag == "BODY" || stop.Tag == "" {
			break
		}
		if !stop.Visible {
			b.t.Errorf("%s: focus stop %d (%s %q) is not visible", page, i, stop.Tag, stop.Name)
		}
		if stop.Name == "" {
			b.t.Errorf("%s: focus stop %d (%s) has no accessible name", page, i, stop.Tag)
		}
		if !stop.Outlined {
			b.t.Errorf("%s: focus stop %d (%s %q) shows no focus outline", page, i, stop.Tag, stop.Name)
		}
		if stop.Index < prev {
			b.t.Errorf("%s: focus order goes back in the document at stop %d (%s %q)", page, i, stop.Tag, stop.Name)
		}
		prev = stop.Index
	}
}

func TestBrowserReviewFlow(t *testing.T) {
	needRenderer(t)
	b := newBrowser(t)
	s := startSite(t, 2)
	ctx := context.Background()

	// The accessibility check itself finds what it is meant to find.
	var bad a11yReport
	b.run("a11y self-test", chromedp.Navigate(`data:text/html;charset=utf-8,<html><title>t</title><body><input id=x><p style="color:%23aaa">浅色文字</p><button></button></body></html>`))
	b.eval("a11y self-test", a11yJS+"; a11yCheck()", &bad)
	if len(bad.Problems) != 4 { // lang, the input's label, the contrast, the button's name
		t.Errorf("a11y check on a bad page found %q, want 4 problems", bad.Problems)
	}

	// Sign in: the list sends an anonymous visitor to the sign-in page.
	b.run("open list", chromedp.Navigate(s.URL+"/applications"), chromedp.WaitVisible(`#name`, chromedp.ByID))
	b.shot("01-login")
	b.accessible("sign-in")
	b.run("wrong password", chromedp.SendKeys(`#name`, "zhangsan", chromedp.ByID), chromedp.SendKeys(`#password`, "wrong-password!", chromedp.ByID),
		chromedp.Submit(`#password`, chromedp.ByID), chromedp.WaitVisible(`#login-error`, chromedp.ByID))
	b.run("sign in", chromedp.SetValue(`#name`, "zhangsan", chromedp.ByID), chromedp.SendKeys(`#password`, password, chromedp.ByID),
		chromedp.Submit(`#password`, chromedp.ByID), chromedp.WaitVisible(`table.apps`, chromedp.ByQuery))

	// Upload a digital PDF and a docx at once; both finish.
	pdf, _ := filepath.Abs("testdata/cq2024_03_pdf.pdf")
	docx, _ := filepath.Abs("testdata/cq2024_01_docx.docx")
	b.run("upload page", chromedp.Navigate(s.URL+"/upload"), chromedp.WaitReady(`#files`, chromedp.ByID))
	b.accessible("upload")
	b.run("choose files", chromedp.SendKeys(`#batch`, "2024年第一批", chromedp.ByID), chromedp.SendKeys(`#region`, "重庆市", chromedp.ByID),
		chromedp.SetUploadFiles(`#files`, []string{pdf, docx}, chromedp.ByID))
	b.waitFor("both uploads done", `document.querySelectorAll('#upload-list td.result a').length === 2`, 3*time.Minute)
	// A file dropped on the zone is uploaded too; one the service refuses
	// shows its reason on its own row.
	b.run("drop a file", chromedp.Evaluate(`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(["这不是申报表"], "说明.txt", {type: "text/plain"}));
		document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
		return true })()`, nil))
	b.waitFor("dropped file refused", `(() => { const r = document.querySelector('#upload-list tr[data-file="说明.txt"]');
		return !!r && r.querySelector('.state').textContent === '失败' && r.querySelector('.result').textContent.includes('PDF') })()`, 20*time.Second)
	b.mu.Lock()
	b.errors = nil // the refused upload's 415 is logged by the browser, as it should be
	b.mu.Unlock()
	b.shot("02-upload-done")

	apps, _, err := s.Store.Applications(ctx, store.Filter{})
	if err != nil || len(apps) != 2 {
		t.Fatalf("applications after upload: %d, %v", len(apps), err)
	}
	var pdfApp, docxApp store.Application
	for _, a := range apps {
		if a.Batch != "2024年第一批" || a.Region != "重庆市" {
			t.Errorf("application %d: batch %q region %q, want the upload form's", a.ID, a.Batch, a.Region)
		}
		if a.MIME == "application/pdf" {
			pdfApp = a
		} else {
			docxApp = a
		}
	}

	b.run("list", chromedp.Navigate(s.URL+"/applications?sort=errors&dir=desc"), chromedp.WaitVisible(`table.apps`, chromedp.ByQuery))
	var rows int
	b.eval("count rows", `document.querySelectorAll('table.apps tbody tr a[href^="/applications/"]').length`, &rows)
	if rows != 2 {
		t.Errorf("list shows %d applications, want 2", rows)
	}
	var export string
	b.run("export link", chromedp.Navigate(s.URL+"/applications?region=重庆市&errors=no"), chromedp.WaitVisible(`#export-xlsx`, chromedp.ByID),
		chromedp.AttributeValue(`#export-xlsx`, "href", &export, nil, chromedp.ByID))
	if !strings.Contains(export, "/api/v1/exports/applications.xlsx?") || !strings.Contains(export, "has_errors=false") || !strings.Contains(export, "region=") {
		t.Errorf("export link %q does not carry the list's filters", export)
	}
	b.shot("03-list")
	b.accessible("list")
	b.noConsoleErrors("list")

	// The PDF's view: every finding with a place is drawn where its bbox says.
	b.run("view pdf", chromedp.Navigate(fmt.Sprintf("%s/applications/%d", s.URL, pdfApp.ID)))
	b.waitFor("finding list", `document.querySelectorAll('#panel-findings .finding').length > 0`, 30*time.Second)
	b.waitFor("first page", `(() => { const i = document.querySelector('#page-1 img'); return i && i.complete && i.naturalWidth > 0 })()`, 30*time.Second)
	b.shot("04-view-pdf")
	rep, err := s.Store.Report(ctx, pdfApp.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	findings := rep.Report.Findings
	if placeAll(t, b, findings) == 0 {
		t.Fatal("the PDF's report has no finding with a page and a box; the position test needs one")
	}

	// Zooming keeps every box on its place.
	first := slices.IndexFunc(findings, func(f shenbao.Finding) bool { return f.Page != nil && f.BBox != nil })
	b.run("zoom in", chromedp.Click(`#zoom-in`, chromedp.ByID), chromedp.Click(`#zoom-in`, chromedp.ByID))
	var zoomed string
	b.run("zoom level", chromedp.Text(`#zoom-level`, &zoomed, chromedp.ByID))
	if zoomed != "156%" {
		t.Errorf("zoom level after two steps in: %q, want 156%%", zoomed)
	}
	checkBoxPlace(t, b, first, *findings[first].Page, *findings[first].BBox)
	b.run("fit width", chromedp.Click(`#fit`, chromedp.ByID))

	// Clicking a finding on a later page brings its box into view.
	last := -1
	for n, f := range findings {
		if f.Page != nil && f.BBox != nil && (last < 0 || *f.Page > *findings[last].Page) {
			last = n
		}
	}
	clickFinding(b, last)
	b.shot("05-finding-selected")

	// Clicking a box selects its finding in the list.
	other := -1
	for n, f := range findings {
		if n != last && f.Page != nil && f.BBox != nil && *f.Page == *findings[last].Page {
			other = n
		}
	}
	if other >= 0 {
		b.run("click box", chromedp.Evaluate(fmt.Sprintf(`document.querySelector('.box[data-finding="%d"]').click(); true`, other), nil))
		b.waitFor("finding selected", fmt.Sprintf(`document.querySelector('.finding[data-n="%d"]').classList.contains('selected')`, other), 5*time.Second)
	}

	// Correct a value: a finding about one ticked checkbox goes away when
	// the tick is corrected.
	fix := -1
	for n, f := range findings {
		if len(f.FieldIDs) == 1 && checked(rep.Report, f.FieldIDs[0]) {
			fix = n
			break
		}
	}
	if fix < 0 {
		t.Fatal("the PDF's report has no finding on a single ticked checkbox; the correction test needs one")
	}
	gone := findings[fix]
	b.run("open correction", chromedp.Click(fmt.Sprintf(`.finding[data-n="%d"] button.correct`, fix), chromedp.ByQuery),
		chromedp.WaitVisible(`.finding .inline-form select`, chromedp.ByQuery))
	b.run("correct", chromedp.SetValue(`.finding .inline-form select`, "false", chromedp.ByQuery),
		chromedp.SendKeys(`.finding .inline-form input[id^="why-"]`, "原件此项未勾选，识别有误", chromedp.ByQuery),
		chromedp.Click(`.finding .inline-form button[type=submit]`, chromedp.ByQuery))
	b.waitFor("correction notice", `document.getElementById('notice').textContent.includes('已更正')`, 20*time.Second)
	var msgs []string
	b.eval("messages", `[...document.querySelectorAll('#panel-findings .finding .msg')].map(e => e.textContent)`, &msgs)
	if slices.Contains(msgs, gone.Message) {
		t.Errorf("finding %q still listed after the correction", gone.Message)
	}
	cur, err := s.Store.Report(ctx, pdfApp.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != rep.Version+1 || slices.ContainsFunc(cur.Report.Findings, func(f shenbao.Finding) bool { return api.FindingKey(f) == api.FindingKey(gone) }) {
		t.Errorf("store after correction: version %d (was %d); the corrected finding must be gone", cur.Version, rep.Version)
	}
	b.shot("06-corrected")
	b.waitFor("corrected value marked", fmt.Sprintf(`(() => { const c = document.querySelector('#panel-fields tr[data-field=%q] .corrected'); return !!c && c.textContent.includes('zhangsan') })()`, gone.FieldIDs[0]), 10*time.Second)

	// Dismiss another finding with a reason: shown dismissed, with who.
	dis := 0
	reason := "佐证材料已随纸质件提交"
	dismissFinding(b, dis, reason)
	// Accept another: shown confirmed, with who.
	acc := 1
	b.run("open accept", chromedp.Click(fmt.Sprintf(`.finding[data-n="%d"] button.accept`, acc), chromedp.ByQuery),
		chromedp.WaitVisible(`.finding .inline-form textarea`, chromedp.ByQuery),
		chromedp.SendKeys(`.finding .inline-form textarea`, "请申报单位补充清单", chromedp.ByQuery),
		chromedp.Click(`.finding .inline-form button[type=submit]`, chromedp.ByQuery))
	b.waitFor("accepted shown", fmt.Sprintf(`(() => { const d = document.querySelector('.finding[data-n="%d"] .decision.accepted'); return !!d && d.textContent.includes('zhangsan') && d.textContent.includes('已确认') })()`, acc), 10*time.Second)

	// Sign the whole application off with a note: the header says who and
	// which version, the store agrees.
	note := "材料齐全，同意推荐"
	b.run("open sign-off", chromedp.Click(`#sign-off button.mark-reviewed`, chromedp.ByQuery),
		chromedp.WaitVisible(`#sign-off .inline-form input`, chromedp.ByQuery),
		chromedp.SendKeys(`#sign-off .inline-form input`, note, chromedp.ByQuery))
	b.shot("06a-sign-off-note")
	b.run("sign off", chromedp.Click(`#sign-off .inline-form button[type=submit]`, chromedp.ByQuery))
	b.waitFor("signed off shown", fmt.Sprintf(`(() => { const s = document.getElementById('sign-off-state');
		return !!s && s.textContent.startsWith('已审核：zhangsan') && s.textContent.endsWith('（第%d版）') && !!document.querySelector('#sign-off button.unmark-reviewed') })()`, cur.Version), 10*time.Second)
	if a, err := s.Store.Application(ctx, pdfApp.ID); err != nil || !a.Reviewed() || a.ReviewedBy != "zhangsan" || a.ReviewedVersion != cur.Version {
		t.Errorf("store after the sign-off: %+v, %v; want reviewed by zhangsan at version %d", a, err, cur.Version)
	}
	b.shot("06b-signed-off")
	b.run("audit tab", chromedp.Click(`#tab-audit`, chromedp.ByID))
	b.waitFor("audit trail", fmt.Sprintf(`(() => { const t = document.getElementById('panel-audit').textContent;
		return t.includes('更正字段') && t.includes('驳回问题') && t.includes('zhangsan') && t.includes('标记已审核 第 %d 版，备注：%s') })()`, cur.Version, note), 10*time.Second)
	b.shot("07-audit")

	// A correction after the sign-off makes a new report version: the
	// header asks for a new sign-off without a reload, and gets it.
	b.run("correct after sign-off", chromedp.Click(`#tab-fields`, chromedp.ByID),
		chromedp.Click(`#panel-fields tr[data-field] button.correct`, chromedp.ByQuery),
		chromedp.WaitVisible(`#panel-fields .inline-form input[id^="why-"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#panel-fields .inline-form input[id^="why-"]`, "与原件核对无误，补记", chromedp.ByQuery),
		chromedp.Click(`#panel-fields .inline-form button[type=submit]`, chromedp.ByQuery))
	b.waitFor("sign-off outdated", `(() => { const s = document.getElementById('sign-off-state');
		return !!s && s.textContent.startsWith('审核后报告已更新，需重新确认') && !!document.querySelector('#sign-off button.mark-reviewed') })()`, 20*time.Second)
	if a, err := s.Store.Application(ctx, pdfApp.ID); err != nil || a.Reviewed() || a.Version != cur.Version+1 {
		t.Errorf("store after a correction of the signed-off version: %+v, %v; want version %d, not reviewed", a, err, cur.Version+1)
	}
	b.shot("07a-sign-off-outdated")
	b.run("sign off again", chromedp.Click(`#sign-off button.mark-reviewed`, chromedp.ByQuery),
		chromedp.WaitVisible(`#sign-off .inline-form input`, chromedp.ByQuery),
		chromedp.Click(`#sign-off .inline-form button[type=submit]`, chromedp.ByQuery))
	b.waitFor("signed off again", fmt.Sprintf(`document.getElementById('sign-off-state').textContent.endsWith('（第%d版）')`, cur.Version+1), 10*time.Second)
	if a, err := s.Store.Application(ctx, pdfApp.ID); err != nil || !a.Reviewed() {
		t.Errorf("store after the second sign-off: %+v, %v", a, err)
	}
	// A large monitor shows the same view with a wider findings column.
	b.run("large monitor", chromedp.EmulateViewport(2560, 1440))
	b.run("fit large", chromedp.Click(`#fit`, chromedp.ByID), chromedp.Sleep(700*time.Millisecond))
	var sideWidth float64
	b.eval("side width", `document.querySelector('.right').getBoundingClientRect().width`, &sideWidth)
	if sideWidth < 580 {
		t.Errorf("findings column %.0f px wide on a 2560 px screen, want the wide layout", sideWidth)
	}
	b.shot("07b-large-monitor")
	b.run("back to 1366x768", chromedp.EmulateViewport(1366, 768), chromedp.Click(`#fit`, chromedp.ByID))
	b.run("fields tab", chromedp.Click(`#tab-fields`, chromedp.ByID), chromedp.WaitVisible(`#panel-fields table.fields`, chromedp.ByQuery))
	b.accessible("application view")
	b.noConsoleErrors("application view (PDF)")

	// The list filtered by 已审核 holds exactly the signed-off application,
	// and the export link carries the filter.
	b.run("list to filter", chromedp.Navigate(s.URL+"/applications"), chromedp.WaitVisible(`#f-reviewed`, chromedp.ByID))
	b.run("filter reviewed", chromedp.SetValue(`#f-reviewed`, "true", chromedp.ByID), chromedp.Submit(`#f-reviewed`, chromedp.ByID))
	b.waitFor("filtered list", `location.search.includes('reviewed=true') && document.readyState === 'complete' && !!document.querySelector('table.apps')`, 10*time.Second)
	var reviewedLinks []string
	b.eval("reviewed rows", `[...document.querySelectorAll('table.apps tbody tr a[href^="/applications/"]')].map(a => a.getAttribute('href'))`, &reviewedLinks)
	if want := fmt.Sprintf("/applications/%d", pdfApp.ID); len(reviewedLinks) != 1 || reviewedLinks[0] != want {
		t.Errorf("list filtered by 已审核: %q, want only %s", reviewedLinks, want)
	}
	b.run("filtered export link", chromedp.AttributeValue(`#export-xlsx`, "href", &export, nil, chromedp.ByID))
	if !strings.Contains(export, "reviewed=true") {
		t.Errorf("export link %q does not carry the 已审核 filter", export)
	}
	b.shot("07d-list-reviewed")
	b.accessible("list filtered by 已审核")
	b.noConsoleErrors("list filtered by 已审核")

	// The docx has no geometry: the form is a table with the same highlighting.
	b.run("view docx", chromedp.Navigate(fmt.Sprintf("%s/applications/%d", s.URL, docxApp.ID)))
	b.waitFor("form table", `!document.getElementById('form').hidden && document.querySelectorAll('#form tr[data-field]').length > 0`, 30*time.Second)
	b.waitFor("highlighted rows", `document.querySelectorAll('#form tr.hl-info, #form tr.hl-warning, #form tr.hl-error').length > 0`, 10*time.Second)
	b.run("click docx finding", chromedp.Click(`.finding[data-n="0"] .go`, chromedp.ByQuery))
	b.waitFor("row selected in view", `(() => { const r = document.querySelector('#form tr.selected'), v = document.getElementById('form').getBoundingClientRect();
		if (!r) return false; const x = r.getBoundingClientRect(); return x.top >= v.top && x.bottom <= v.bottom })()`, 10*time.Second)
	b.shot("08-view-docx")
	b.noConsoleErrors("application view (docx)")

	// The printable opinion lists the dismissal apart.
	b.run("opinion", chromedp.Navigate(fmt.Sprintf("%s/applications/%d/opinion", s.URL, pdfApp.ID)), chromedp.WaitVisible(`article.opinion`, chromedp.ByQuery))
	var opinion string
	b.run("opinion text", chromedp.Text(`article.opinion`, &opinion, chromedp.ByQuery))
	if !strings.Contains(opinion, "不予采纳") || !strings.Contains(opinion, reason) {
		t.Errorf("opinion page lacks the dismissed finding and its reason:\n%s", opinion)
	}
	if !strings.Contains(opinion, "已审核：zhangsan") {
		t.Errorf("opinion page does not say who signed the application off:\n%s", opinion)
	}
	b.shot("09-opinion")
	b.accessible("opinion")
	b.noConsoleErrors("opinion")

	// A clerk sees the same view without any correction or decision control.
	b.run("sign out", chromedp.Click(`.logout button`, chromedp.ByQuery), chromedp.WaitVisible(`#name`, chromedp.ByID))
	b.run("clerk sign in", chromedp.SendKeys(`#name`, "lisi", chromedp.ByID), chromedp.SendKeys(`#password`, password, chromedp.ByID),
		chromedp.Submit(`#password`, chromedp.ByID), chromedp.WaitVisible(`table.apps`, chromedp.ByQuery))
	b.run("clerk upload", chromedp.Navigate(s.URL+"/upload"), chromedp.WaitReady(`#files`, chromedp.ByID), chromedp.SetUploadFiles(`#files`, []string{pdf}, chromedp.ByID))
	b.waitFor("clerk upload done", `document.querySelectorAll('#upload-list td.result a').length === 1`, time.Minute)
	// The same bytes the reviewer's application holds: the clerk gets an
	// application of their own, never the reviewer's (issue 22 item 8).
	var clerkApp string
	b.eval("clerk's application", `document.querySelector('#upload-list td.result a').getAttribute('href')`, &clerkApp)
	if clerkApp == fmt.Sprintf("/applications/%d", pdfApp.ID) {
		t.Fatalf("the clerk's upload of the same file was given the reviewer's application %s", clerkApp)
	}
	b.run("clerk view", chromedp.Navigate(s.URL+clerkApp))
	b.waitFor("clerk findings", `document.querySelectorAll('#panel-findings .finding').length > 0 && document.querySelectorAll('#panel-fields tr[data-field]').length > 0`, 90*time.Second)
	var controls int
	b.eval("controls", `document.querySelectorAll('button.correct, button.dismiss, button.accept, button.mark-reviewed, button.unmark-reviewed, .acts, .inline-form').length`, &controls)
	if controls != 0 {
		t.Errorf("a clerk sees %d correction, decision or sign-off controls, want none", controls)
	}
	var clerkState string
	b.run("clerk sign-off state", chromedp.Text(`#sign-off-state`, &clerkState, chromedp.ByID))
	if clerkState != "未审核" {
		t.Errorf("the clerk's header says %q, want 未审核: the reviewer's sign-off is of their own application", clerkState)
	}
	b.shot("10-clerk-view")
	b.noConsoleErrors("clerk view")
	var listed int
	b.run("clerk list", chromedp.Navigate(s.URL+"/applications"), chromedp.WaitVisible(`table.apps`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('table.apps tbody tr a[href^="/applications/"]').length`, &listed))
	if listed != 1 {
		t.Errorf("the clerk's list shows %d applications, want only the one they uploaded", listed)
	}
	b.run("clerk forbidden view", chromedp.Navigate(fmt.Sprintf("%s/applications/%d", s.URL, docxApp.ID)), chromedp.WaitVisible(`[role=alert]`, chromedp.ByQuery))
	b.run("clerk forbidden: the reviewer's application of the same file", chromedp.Navigate(fmt.Sprintf("%s/applications/%d", s.URL, pdfApp.ID)), chromedp.WaitVisible(`[role=alert]`, chromedp.ByQuery))
}

// placeAll loads every page image (so that every box exists) and checks
// the place of every finding's box; it returns how many it checked.
func placeAll(t *testing.T, b *browser, findings []shenbao.Finding) int {
	t.Helper()
	b.run("load all pages", chromedp.Evaluate(`document.querySelectorAll('#pages img').forEach(i => i.loading = 'eager'); true`, nil))
	b.waitFor("all pages", `[...document.querySelectorAll('#pages img')].every(i => i.complete && i.naturalWidth > 0)`, 90*time.Second)
	placed := 0
	for n, f := range findings {
		if f.Page == nil || f.BBox == nil {
			continue
		}
		placed++
		checkBoxPlace(t, b, n, *f.Page, *f.BBox)
	}
	return placed
}

// clickFinding clicks finding n in the list and waits until its box is
// selected and wholly inside the page pane.
func clickFinding(b *browser, n int) {
	b.t.Helper()
	b.run("click finding", chromedp.Click(fmt.Sprintf(`.finding[data-n="%d"] .go`, n), chromedp.ByQuery))
	b.waitFor("box in view", fmt.Sprintf(`(() => {
		const b = document.querySelector('.box[data-finding="%d"]'), v = document.getElementById('pages').getBoundingClientRect();
		if (!b) return false;
		const r = b.getBoundingClientRect();
		return b.classList.contains('selected') && r.top >= v.top && r.bottom <= v.bottom && r.left >= v.left && r.right <= v.right;
	})()`, n), 10*time.Second)
}

// dismissFinding dismisses finding n with reason through its inline form
// and waits until it is shown dismissed by zhangsan with that reason.
func dismissFinding(b *browser, n int, reason string) {
	b.t.Helper()
	b.run("open dismiss", chromedp.Click(fmt.Sprintf(`.finding[data-n="%d"] button.dismiss`, n), chromedp.ByQuery),
		chromedp.WaitVisible(`.finding .inline-form textarea`, chromedp.ByQuery),
		chromedp.SendKeys(`.finding .inline-form textarea`, reason, chromedp.ByQuery),
		chromedp.Click(`.finding .inline-form button[type=submit]`, chromedp.ByQuery))
	b.waitFor("dismissed shown", fmt.Sprintf(`(() => { const d = document.querySelector('.finding[data-n="%d"] .decision.dismissed'); return !!d && d.textContent.includes('zhangsan') && d.textContent.includes(%q) })()`, n, reason), 10*time.Second)
}

// checkBoxPlace compares finding n's box element with its bbox: the box's
// offset from its page image, in pixels, must be the bbox in points times
// the image's displayed width over the page width in points.
func checkBoxPlace(t *testing.T, b *browser, n, page int, bbox shenbao.Box) {
	t.Helper()
	var got struct {
		Box, Img     []float64
		NaturalWidth float64
		DPI          float64
		Page         float64
	}
	b.eval("box place", fmt.Sprintf(`(() => {
		const b = document.querySelector('.box[data-finding="%d"]');
		if (!b) return {};
		const div = b.closest('.page'), img = div.querySelector('img');
		const r = b.getBoundingClientRect(), i = img.getBoundingClientRect();
		return {Box: [r.left, r.top, r.right, r.bottom], Img: [i.left, i.top, i.width, i.height], NaturalWidth: img.naturalWidth, DPI: Number(new URL(img.src).searchParams.get('dpi')), Page: Number(div.dataset.page)};
	})()`, n), &got)
	if len(got.Box) != 4 {
		t.Errorf("finding %d: no box drawn", n)
		return
	}
	if int(got.Page) != page {
		t.Errorf("finding %d: box on page %v, want %d", n, got.Page, page)
	}
	if got.DPI < 36 {
		t.Errorf("finding %d: page image asked without a resolution (dpi %v)", n, got.DPI)
		return
	}
	widthPt := got.NaturalWidth * 72 / got.DPI
	scale := got.Img[2] / widthPt
	want := []float64{got.Img[0] + bbox[0]*scale, got.Img[1] + bbox[1]*scale, got.Img[0] + bbox[2]*scale, got.Img[1] + bbox[3]*scale}
	for k := range want {
		if math.Abs(got.Box[k]-want[k]) > 1.5 {
			t.Errorf("finding %d: box edges %v px, want %v px (bbox %v pt × %.3f)", n, got.Box, want, bbox, scale)
			return
		}
	}
}

func checked(rep *shenbao.Report, id string) bool {
	for _, c := range rep.Checkboxes {
		if c.ID == id {
			return c.Checked
		}
	}
	return false
}
