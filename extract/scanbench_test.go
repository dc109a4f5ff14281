package extract_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg"
	"image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract/child/childtest"
	"github.com/shenbao/shenbao/extract/roughen"
)

// BenchmarkScanCorpus reads every scanned application of the corpus the
// way production does (Extract: MuPDF renders in the child process, the
// scan path reads, the template maps) and, on the same pages (the scan's
// own images, pulled out with pdfimages), runs the baseline of issue 3:
// `tesseract PAGE - -l chi_sim` on every full page, one page after the
// other, right after shenbao's run of the same document. It prints per document the wall and CPU time of both and their
// ratio, shenbao's accuracy against the truth (fields, checkboxes, long
// texts) and the baseline's (the truth's values and 10-character pieces of
// its long texts found verbatim anywhere in its output: it places nothing,
// so that is all it can be scored on); then the medians, the accuracy per
// edition and dpi, and the peak memory of the scan child.
//
//	go test ./extract -run '^$' -bench ScanCorpus -benchtime 1x -timeout 90m
//
// The baseline runs twice: as the plain command (the machine's default
// environment, where Tesseract's OpenMP starts four threads per page on
// two cores) and with OMP_THREAD_LIMIT=1, its fastest single-process form.
// SHENBAO_SCAN_TIMEOUT=30m lifts the scan's time budget on a loaded
// machine. SCAN_BASELINE=plain or =single runs one, =0 none; SCAN_DPI=150 reads
// copies of the documents at 150 dpi (see scanInput); SCAN_DOCS (a regular
// expression: nat2024, gd2023_05|cq2024_06) keeps the documents whose name
// matches it.
//
// The speed the issues hold the scan path to is seconds per page: the
// table's s/page columns, and per dpi of the scans (150, 200) the median
// over documents of shenbao's seconds per page beside the single-thread
// baseline's on the same page images, and their ratio; then the same in
// CPU seconds (user+sys, the scan child's and Tesseract's included), the
// figure that holds on a loaded machine, printed with the load averages at
// start and end. SHENBAO_CHILD_CPUPROFILE=PREFIX profiles the scan child
// (extract/child).
//
// Scans run in a warm worker that keeps its engines (child.Pool), as in a
// queue or bulk worker: the first document is read once before the table,
// its figures printed apart, so that every row is a warm worker's;
// SCAN_COLD=1 leaves that out and the first row pays the worker's start.
// Each row says which it was.
func BenchmarkScanCorpus(b *testing.B) {
	docs, atDPI := scanSelection(b)
	for _, tool := range []string{"pdfimages", "tesseract"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s not installed", tool)
		}
	}
	var baselines []baseline
	plain := withoutEnv(os.Environ(), "OMP_THREAD_LIMIT")
	switch os.Getenv("SCAN_BASELINE") {
	case "0":
	case "plain":
		baselines = []baseline{{"tesseract", plain}}
	case "single":
		baselines = []baseline{{"tesseract-1thread", append(plain, "OMP_THREAD_LIMIT=1")}}
	default:
		baselines = []baseline{{"tesseract", plain}, {"tesseract-1thread", append(plain, "OMP_THREAD_LIMIT=1")}}
	}
	ex := newExtractor()
	if ex.Scan == nil {
		b.Skip("no scan engine")
	}
	defer ex.Close()
	if v := os.Getenv("SHENBAO_SCAN_TIMEOUT"); v != "" {
		// A loaded machine: the benchmark measures, it does not refuse.
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("SHENBAO_SCAN_TIMEOUT: %v", err)
		}
		ex.ScanWith(scanOptions(d))
	}
	fmt.Printf("load at start: %s\n", loadAvg())
	defer func() { fmt.Printf("load at end: %s\n", loadAvg()) }()
	if os.Getenv("SCAN_COLD") != "1" {
		// A queue or bulk worker reads document after document in a
		// warm scan worker: the table measures that steady state, and
		// the start it pays once is printed here.
		in := scanInput(b, docs[0], atDPI)
		start, cpu0 := time.Now(), cpuAll()
		rep, err := ex.Extract(context.Background(), filepath.Base(docs[0].Path), in.pdf)
		if err != nil {
			b.Fatalf("%s: %v", docs[0].Path, err)
		}
		wall, cpu := time.Since(start), cpuAll()-cpu0
		fmt.Printf("worker start: %s read once before the table, in a new worker: %.1f s wall, %.1f s CPU, %.2f s a page (SCAN_COLD=1: no such read)\n",
			filepath.Base(docs[0].Path), wall.Seconds(), cpu.Seconds(), perPage(wall, rep.Pages))
	}
	for i := 0; i < b.N; i++ {
		type row struct {
			name              string
			pages             int
			wall, cpu         time.Duration
			base              []baseRun
			score             corpus.Score
			editionDPI        string
			baseFound, baseOf int
			baseText, textOf  int
			dpi               int
			warm              bool // read by a worker that had read before
		}
		var rows []row
		byKey := map[string]*corpus.Score{}
		// Each document is read by shenbao and then by the baselines
		// before the next: this machine's speed drifts by a quarter
		// within half an hour (single-thread Tesseract 1.49 → 1.91 s a
		// page on the same images), and a ratio of runs far apart in
		// time measures the drift.
		var baseRSS, workerPeak int64
		for _, d := range docs {
			in := scanInput(b, d, atDPI)
			data := in.pdf
			warm := liveChildren().n > 0
			start, cpu0 := time.Now(), cpuAll()
			rep, err := ex.Extract(context.Background(), filepath.Base(d.Path), data)
			wall, cpu := time.Since(start), cpuAll()-cpu0
			if err != nil {
				b.Fatalf("%s: %v", d.Path, err)
			}
			workerPeak = max(workerPeak, liveChildren().peak)
			s := corpus.Compare(rep, d)
			key := fmt.Sprintf("%s %ddpi", d.EditionID(), in.dpi)
			if byKey[key] == nil {
				byKey[key] = &corpus.Score{}
			}
			byKey[key].Add(s)
			rows = append(rows, row{name: filepath.Base(d.Path), pages: rep.Pages, wall: wall, cpu: cpu, score: s, editionDPI: key, dpi: in.dpi, warm: warm})
			r := &rows[len(rows)-1]
			for _, bl := range baselines {
				var out bytes.Buffer
				start, cpu0 := time.Now(), cpuChildren()
				for _, p := range in.pages {
					cmd := exec.Command("tesseract", p, "-", "-l", "chi_sim")
					cmd.Env = bl.env
					cmd.Stdout = &out
					if err := cmd.Run(); err != nil {
						b.Fatalf("tesseract %s: %v", p, err)
					}
					if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
						baseRSS = max(baseRSS, ru.Maxrss)
					}
				}
				r.base = append(r.base, baseRun{wall: time.Since(start), cpu: cpuChildren() - cpu0})
				if len(r.base) == 1 {
					r.baseFound, r.baseOf, r.baseText, r.textOf = foundVerbatim(out.String(), d.Truth)
				}
			}
		}
		// The children's peak is a retired scan worker's while no
		// Tesseract run went higher.
		peak := maxRSSChildren()
		fmt.Printf("\n%-20s %5s %9s %9s %7s %6s", "document", "pages", "wall", "cpu", "s/page", "worker")
		for _, bl := range baselines {
			fmt.Printf(" | %-17s %9s %9s %7s %12s", bl.name, "wall", "cpu", "s/page", "ratio wall/cpu")
		}
		fmt.Printf(" | %-28s", "shenbao fields boxes texts")
		if len(baselines) > 0 {
			fmt.Printf(" | tesseract values, text pieces found")
		}
		fmt.Println()
		var walls []time.Duration
		ratios := make([][]float64, len(baselines))
		for _, r := range rows {
			walls = append(walls, r.wall)
			worker := "new"
			if r.warm {
				worker = "warm"
			}
			fmt.Printf("%-20s %5d %8.1fs %8.1fs %6.2fs %6s", strings.TrimSuffix(r.name, ".pdf"), r.pages, r.wall.Seconds(), r.cpu.Seconds(), perPage(r.wall, r.pages), worker)
			for j, br := range r.base {
				ratio := br.wall.Seconds() / r.wall.Seconds()
				ratios[j] = append(ratios[j], ratio)
				fmt.Printf(" | %-17s %8.1fs %8.1fs %6.2fs %5.1fx/%4.1fx", "", br.wall.Seconds(), br.cpu.Seconds(), perPage(br.wall, r.pages), ratio, br.cpu.Seconds()/r.cpu.Seconds())
			}
			s := r.score
			fmt.Printf(" | %4d/%-4d %3d/%-3d %2d/%-2d %5.1f%%", s.FieldsOK, s.Fields, s.BoxesOK, s.Boxes, s.TextsOK, s.Texts, 100*s.CharAccuracy())
			if len(r.base) > 0 {
				fmt.Printf(" | %4d/%-4d %4d/%-4d", r.baseFound, r.baseOf, r.baseText, r.textOf)
			}
			fmt.Println()
		}
		fmt.Printf("shenbao median %.1f s per application", median(walls).Seconds())
		for j, bl := range baselines {
			sort.Float64s(ratios[j])
			fmt.Printf("; %s/shenbao wall ratio median %.1fx (min %.1fx)", bl.name, ratios[j][len(ratios[j])/2], ratios[j][0])
		}
		fmt.Printf("\npeak memory of a scan worker over a document (VmHWM): %.0f MB", float64(workerPeak)/1024)
		if peak > baseRSS {
			fmt.Printf("; of a retired one (max RSS): %.0f MB", float64(peak)/1024)
		}
		fmt.Println()
		byDPI := map[int][]int{}
		for k, r := range rows {
			byDPI[r.dpi] = append(byDPI[r.dpi], k)
		}
		for _, dpi := range slices.Sorted(maps.Keys(byDPI)) {
			var own, ownCPU []float64
			base := make([][]float64, len(baselines))
			baseCPU := make([][]float64, len(baselines))
			for _, k := range byDPI[dpi] {
				own = append(own, perPage(rows[k].wall, rows[k].pages))
				ownCPU = append(ownCPU, perPage(rows[k].cpu, rows[k].pages))
				for j, br := range rows[k].base {
					base[j] = append(base[j], perPage(br.wall, rows[k].pages))
					baseCPU[j] = append(baseCPU[j], perPage(br.cpu, rows[k].pages))
				}
			}
			fmt.Printf("%d dpi, %d documents: shenbao (%s) median %.2f s per page", dpi, len(own), ex.Settings()[0], medianF(own))
			for j, bl := range baselines {
				fmt.Printf("; %s %.2f s per page (%.1fx shenbao's)", bl.name, medianF(base[j]), medianF(base[j])/medianF(own))
			}
			// On a loaded machine wall time measures the load: CPU
			// seconds (user+sys, the children's included) are what a page
			// costs.
			fmt.Printf("\n%d dpi CPU: shenbao median %.2f s per page", dpi, medianF(ownCPU))
			for j, bl := range baselines {
				fmt.Printf("; %s %.2f s per page (%.2fx shenbao's)", bl.name, medianF(baseCPU[j]), medianF(baseCPU[j])/medianF(ownCPU))
			}
			fmt.Println()
		}
		for _, k := range slices.Sorted(maps.Keys(byKey)) {
			s := byKey[k]
			fmt.Printf("%-18s fields %5.1f%%  boxes %5.1f%%  texts exact %5.1f%%  char acc %5.2f%%  count±2%% %d/%d  confident errors %d\n", k,
				pct(s.FieldsOK, s.Fields), pct(s.BoxesOK, s.Boxes), pct(s.TextsOK, s.Texts), 100*s.CharAccuracy(), s.TextCountOK, s.Texts, s.ConfidentWrong)
		}
	}
}

// scanSelection is the corpus's scanned documents whose file name
// SCAN_DOCS (a regular expression) matches, and the resolution SCAN_DPI
// asks them to be read at (0: as scanned); it skips the benchmark when
// there are none.
func scanSelection(b *testing.B) ([]corpus.Doc, int) {
	keep, err := regexp.Compile(os.Getenv("SCAN_DOCS"))
	if err != nil {
		b.Fatalf("SCAN_DOCS: %v", err)
	}
	atDPI := 0
	if v := os.Getenv("SCAN_DPI"); v != "" {
		if atDPI, err = strconv.Atoi(v); err != nil || atDPI < 72 {
			b.Fatalf("SCAN_DPI=%q: want a resolution in dpi", v)
		}
	}
	var docs []corpus.Doc
	for _, d := range corpusDocs(b) {
		if d.Format() == "scan" && keep.MatchString(filepath.Base(d.Path)) {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		b.Skip("no scanned documents")
	}
	return docs, atDPI
}

// loadAvg is the machine's load averages (1, 5, 15 minutes), which every
// figure measured here is to be read beside.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// perPage is d over pages in seconds.
func perPage(d time.Duration, pages int) float64 { return d.Seconds() / float64(max(pages, 1)) }

// medianF is the median of xs (the upper one of an even count).
func medianF(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

type baseline struct {
	name string
	env  []string
}

type baseRun struct{ wall, cpu time.Duration }

// benchInput is a scan as the benchmark reads it: the PDF shenbao reads,
// its page images for the baseline and their resolution.
type benchInput struct {
	pdf   []byte
	pages []string
	dpi   int
}

// scanInput is d as scanned when dpi is 0; otherwise a copy of it at dpi:
// its page images scaled (gray, area-averaged) and written as a gray JPEG
// scan (quality 75) for shenbao and as PNG files for the baseline, so both
// read the same pixels.
func scanInput(tb testing.TB, d corpus.Doc, dpi int) benchInput {
	pages := pageImages(tb, d.Path)
	if dpi == 0 || dpi == d.Truth.DPI {
		data, err := os.ReadFile(d.Path)
		if err != nil {
			tb.Fatal(err)
		}
		return benchInput{pdf: data, pages: pages, dpi: d.Truth.DPI}
	}
	var grays []*image.Gray
	for k, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			tb.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		g := scaleGray(img, float64(dpi)/float64(d.Truth.DPI))
		grays = append(grays, g)
		pages[k] = p + fmt.Sprintf(".%ddpi.png", dpi)
		var buf bytes.Buffer
		if err := png.Encode(&buf, g); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(pages[k], buf.Bytes(), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	data, err := roughen.PDF(grays, float64(dpi), 75)
	if err != nil {
		tb.Fatal(err)
	}
	return benchInput{pdf: data, pages: pages, dpi: dpi}
}

// scaleGray returns img in gray scaled by f (< 1: each output pixel the
// mean of the input pixels it covers; > 1: nearest).
func scaleGray(img image.Image, f float64) *image.Gray {
	r := img.Bounds()
	w, h := max(1, int(float64(r.Dx())*f+0.5)), max(1, int(float64(r.Dy())*f+0.5))
	src := image.NewGray(r)
	draw.Draw(src, r, img, r.Min, draw.Src)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, y1 := int(float64(y)/f), max(int(float64(y)/f)+1, int(float64(y+1)/f))
		for x := 0; x < w; x++ {
			x0, x1 := int(float64(x)/f), max(int(float64(x)/f)+1, int(float64(x+1)/f))
			sum, n := 0, 0
			for yy := y0; yy < min(y1, r.Dy()); yy++ {
				for xx := x0; xx < min(x1, r.Dx()); xx++ {
					sum += int(src.Pix[yy*src.Stride+xx])
					n++
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / max(n, 1))
		}
	}
	return out
}

// pageImages pulls the page images out of a scanned PDF: the baseline reads
// the pages exactly as scanned.
func pageImages(tb testing.TB, pdf string) []string {
	dir := tb.TempDir()
	if out, err := exec.Command("pdfimages", "-png", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		tb.Fatalf("pdfimages %s: %v %s", pdf, err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p-*"))
	sort.Strings(files)
	return files
}

// foundVerbatim scores text that has no structure against the truth: the
// field values (two characters or more: a lone digit is found anywhere)
// and the 10-character pieces of the long texts that occur in it.
func foundVerbatim(text string, t *corpus.Truth) (found, of, pieces, piecesOf int) {
	flat := squeeze(text)
	for _, f := range t.Fields {
		v := squeeze(f.Value)
		if len([]rune(v)) < 2 {
			continue
		}
		of++
		if strings.Contains(flat, v) {
			found++
		}
	}
	for _, x := range t.Texts {
		rs := []rune(squeeze(x.Text))
		for i := 0; i+10 <= len(rs); i += 10 {
			piecesOf++
			if strings.Contains(flat, string(rs[i:i+10])) {
				pieces++
			}
		}
	}
	return
}

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\u3000' {
			return -1
		}
		return r
	}, s)
}

func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// cpuAll is the CPU time of this process and of its children, waited-for
// or still running: the scan runs in a pool's worker, which lives on
// between documents and whose CPU rusage learns only when it exits.
func cpuAll() time.Duration { return cpuTime() + cpuChildren() + liveChildren().cpu }

// live is what /proc tells of this process's running children.
type live struct {
	n    int
	cpu  time.Duration // user+sys, theirs and their waited-for children's
	peak int64         // largest VmHWM, KB: a worker resets it per request
}

// liveChildren reads /proc for the children of this process.
func liveChildren() live {
	var l live
	for _, c := range childtest.Children() {
		l.n++
		l.cpu += c.CPU()
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.Pid))
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kb int64
				fmt.Sscan(v, &kb)
				l.peak = max(l.peak, kb)
			}
		}
	}
	return l
}

func cpuChildren() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSSChildren is the largest resident set of any waited-for child, in KB.
func maxRSSChildren() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return ru.Maxrss
}
