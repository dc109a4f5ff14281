// Package pack is the compact stored form of a report: what the bulk cache
// and the service's store keep so that a re-check after a rule change
// reads an application in microseconds instead of parsing 100 KB of JSON.
//
// The form is lossless — Unmarshal(Marshal(r)) is deeply equal to r, nil
// and empty lists told apart — so anything served from it (the API's JSON
// report, exports) is what was stored. Strings are written once per body
// and referred to afterwards (a report repeats its sections, labels,
// columns and keys hundreds of times), and decoding makes one string of
// the whole body that every decoded string is a part of: a body costs a
// handful of allocations, not one per member.
//
// A body is the magic "SBRP", a version byte, then the report's members in
// a fixed order: strings as a uvarint tag (0: a string follows, its
// uvarint length then its bytes, and later tags may refer to it; 1: a
// string follows that none refers to — a long answer or value, which
// never repeats and costs the most to look up; k ≥ 2: the (k-1)-th
// string of tag 0), integers as
// varints, floats as their 8 IEEE bytes (exact), pointers and bools as a
// byte, lists as a uvarint length+1 (0: nil). A member added to a report
// type must be added here, in both directions, with the version raised
// (TestRoundTrip fills every member and fails otherwise).
package pack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/shenbao/shenbao"
)

// magic starts every packed body; JSON never starts with it, so a reader
// tells the forms apart by the first bytes.
const magic = "SBRP"

// version is the layout of the members after the magic: raised whenever
// it changes, so that a body of another layout is refused (a cache entry
// re-extracted) rather than misread. 2: tag 1 (literals) added.
const version = 2

// Is reports whether data is a packed body (rather than JSON).
func Is(data []byte) bool {
	return len(data) > len(magic) && string(data[:len(magic)]) == magic
}

// Marshal packs r.
func Marshal(r *shenbao.Report) []byte {
	e := encoder{buf: make([]byte, 0, 48<<10), strs: make(map[string]uint64, 512)}
	e.buf = append(e.buf, magic...)
	e.buf = append(e.buf, version)
	e.str(r.File)
	e.str(r.SHA256)
	e.str(r.Format)
	e.str(r.Edition.ID)
	e.str(r.Edition.Name)
	e.float(r.Edition.Confidence)
	e.list(r.Edition.Candidates == nil, len(r.Edition.Candidates))
	for _, c := range r.Edition.Candidates {
		e.str(c.ID)
		e.float(c.Score)
	}
	e.int(int64(r.Edition.Year))
	e.int(int64(r.Pages))
	e.list(r.Fields == nil, len(r.Fields))
	for i := range r.Fields {
		f := &r.Fields[i]
		e.lit(f.ID)
		e.str(f.Key)
		e.str(f.Section)
		e.str(f.Label)
		e.str(f.Column)
		e.lit(f.Value)
		e.floatPtr(f.Number)
		e.str(f.Unit)
		e.int(int64(f.Year))
		e.float(f.Confidence)
		e.intPtr(f.Page)
		e.box(f.BBox)
		e.str(f.Source)
		e.str(f.Engine)
	}
	e.list(r.Checkboxes == nil, len(r.Checkboxes))
	for i := range r.Checkboxes {
		c := &r.Checkboxes[i]
		e.lit(c.ID)
		e.str(c.Key)
		e.str(c.Section)
		e.str(c.Group)
		e.str(c.Option)
		e.bool(c.Checked)
		e.str(c.Mark)
		e.float(c.Confidence)
		e.intPtr(c.Page)
		e.box(c.BBox)
	}
	e.list(r.Texts == nil, len(r.Texts))
	for i := range r.Texts {
		t := &r.Texts[i]
		e.lit(t.ID)
		e.str(t.Key)
		e.str(t.Section)
		e.str(t.Label)
		e.lit(t.Text)
		e.int(int64(t.Chars))
		e.int(int64(t.Limit))
		e.float(t.Confidence)
		e.intPtr(t.Page)
		e.box(t.BBox)
	}
	e.list(r.Findings == nil, len(r.Findings))
	for i := range r.Findings {
		f := &r.Findings[i]
		e.str(f.Kind)
		e.str(f.Rule)
		e.str(f.Severity)
		e.list(f.FieldIDs == nil, len(f.FieldIDs))
		for _, id := range f.FieldIDs {
			e.lit(id)
		}
		e.str(f.Section)
		e.str(f.Label)
		e.str(f.Column)
		e.lit(f.Message)
		e.str(f.Basis)
		e.intPtr(f.Page)
		e.box(f.BBox)
	}
	e.list(r.Repairs == nil, len(r.Repairs))
	for _, p := range r.Repairs {
		e.lit(p.FieldID)
		e.str(p.Rule)
		e.str(p.Read)
		e.str(p.Value)
		e.float(p.ConfidenceBefore)
		e.float(p.ConfidenceAfter)
	}
	return e.buf
}

type encoder struct {
	buf  []byte
	strs map[string]uint64
}

func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) int(v int64)      { e.buf = binary.AppendVarint(e.buf, v) }

func (e *encoder) str(s string) {
	if k, ok := e.strs[s]; ok {
		e.uvarint(k + 1)
		return
	}
	e.strs[s] = uint64(len(e.strs) + 1)
	e.uvarint(0)
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// lit writes a string no later one refers to (tag 1): ids, values,
// answers, messages — unique within a report (or short), and hashing them
// into the table was most of the encoding time.
func (e *encoder) lit(s string) {
	e.uvarint(1)
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) float(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}

func (e *encoder) bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

func (e *encoder) list(isNil bool, n int) {
	if isNil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(n) + 1)
}

func (e *encoder) floatPtr(v *float64) {
	e.bool(v != nil)
	if v != nil {
		e.float(*v)
	}
}

func (e *encoder) intPtr(v *int) {
	e.bool(v != nil)
	if v != nil {
		e.int(int64(*v))
	}
}

func (e *encoder) box(b *shenbao.Box) {
	e.bool(b != nil)
	if b != nil {
		for _, v := range b {
			e.float(v)
		}
	}
}

// ErrCorrupt is returned for a body that is not a whole packed report.
var ErrCorrupt = errors.New("pack: corrupt body")

// Unmarshal unpacks data into r (replacing what r held). A body cut short,
// of another version or with a reference to a string not yet seen is an
// error wrapping ErrCorrupt; no input makes it panic or allocate more than
// a few times len(data).
func Unmarshal(data []byte, r *shenbao.Report) error {
	if !Is(data) {
		return fmt.Errorf("%w: no packed report", ErrCorrupt)
	}
	if v := data[len(magic)]; v != version {
		return fmt.Errorf("%w: version %d, this build reads %d", ErrCorrupt, v, version)
	}
	d := decoder{s: string(data), off: len(magic) + 1}
	*r = shenbao.Report{}
	r.File = d.str()
	r.SHA256 = d.str()
	r.Format = d.str()
	r.Edition.ID = d.str()
	r.Edition.Name = d.str()
	r.Edition.Confidence = d.float()
	if n, ok := d.list(9); ok {
		r.Edition.Candidates = make([]shenbao.Candidate, n)
		for i := range r.Edition.Candidates {
			c := &r.Edition.Candidates[i]
			c.ID = d.str()
			c.Score = d.float()
		}
	}
	r.Edition.Year = d.intv()
	r.Pages = d.intv()
	if n, ok := d.list(16); ok {
		r.Fields = make([]shenbao.Field, n)
		for i := range r.Fields {
			f := &r.Fields[i]
			f.ID = d.str()
			f.Key = d.str()
			f.Section = d.str()
			f.Label = d.str()
			f.Column = d.str()
			f.Value = d.str()
			f.Number = d.floatPtr()
			f.Unit = d.str()
			f.Year = d.intv()
			f.Confidence = d.float()
			f.Page = d.intPtr()
			f.BBox = d.box()
			f.Source = d.str()
			f.Engine = d.str()
		}
	}
	if n, ok := d.list(13); ok {
		r.Checkboxes = make([]shenbao.Checkbox, n)
		for i := range r.Checkboxes {
			c := &r.Checkboxes[i]
			c.ID = d.str()
			c.Key = d.str()
			c.Section = d.str()
			c.Group = d.str()
			c.Option = d.str()
			c.Checked = d.bool()
			c.Mark = d.str()
			c.Confidence = d.float()
			c.Page = d.intPtr()
			c.BBox = d.box()
		}
	}
	if n, ok := d.list(14); ok {
		r.Texts = make([]shenbao.Text, n)
		for i := range r.Texts {
			t := &r.Texts[i]
			t.ID = d.str()
			t.Key = d.str()
			t.Section = d.str()
			t.Label = d.str()
			t.Text = d.str()
			t.Chars = d.intv()
			t.Limit = d.intv()
			t.Confidence = d.float()
			t.Page = d.intPtr()
			t.BBox = d.box()
		}
	}
	if n, ok := d.list(11); ok {
		r.Findings = make([]shenbao.Finding, n)
		for i := range r.Findings {
			f := &r.Findings[i]
			f.Kind = d.str()
			f.Rule = d.str()
			f.Severity = d.str()
			if m, ok := d.list(1); ok {
				f.FieldIDs = make([]string, m)
				for j := range f.FieldIDs {
					f.FieldIDs[j] = d.str()
				}
			}
			f.Section = d.str()
			f.Label = d.str()
			f.Column = d.str()
			f.Message = d.str()
			f.Basis = d.str()
			f.Page = d.intPtr()
			f.BBox = d.box()
		}
	}
	if n, ok := d.list(20); ok {
		r.Repairs = make([]shenbao.Repair, n)
		for i := range r.Repairs {
			p := &r.Repairs[i]
			p.FieldID = d.str()
			p.Rule = d.str()
			p.Read = d.str()
			p.Value = d.str()
			p.ConfidenceBefore = d.float()
			p.ConfidenceAfter = d.float()
		}
	}
	if d.err == nil && d.off != len(d.s) {
		d.fail("%d bytes after the report", len(d.s)-d.off)
	}
	if d.err != nil {
		*r = shenbao.Report{}
		return d.err
	}
	return nil
}

// decoder reads from s, one string of the whole body. After the first
// error every read returns a zero value, so Unmarshal checks once at the
// end.
type decoder struct {
	s    string
	off  int
	strs []string
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w at byte %d: %s", ErrCorrupt, d.off, fmt.Sprintf(format, args...))
	}
	d.off = len(d.s)
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if d.off >= len(d.s) {
			d.fail("cut short")
			return 0
		}
		b := d.s[d.off]
		d.off++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	d.fail("varint too long")
	return 0
}

func (d *decoder) intv() int {
	u := d.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return int(v)
}

func (d *decoder) str() string {
	k := d.uvarint()
	if d.err != nil {
		return ""
	}
	if k >= 2 {
		if k-1 > uint64(len(d.strs)) {
			d.fail("string %d of %d", k-1, len(d.strs))
			return ""
		}
		return d.strs[k-2]
	}
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.s)-d.off) {
		d.fail("string of %d bytes, %d left", n, len(d.s)-d.off)
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	if k == 0 {
		d.strs = append(d.strs, s)
	}
	return s
}

func (d *decoder) float() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.s)-d.off < 8 {
		d.fail("cut short")
		return 0
	}
	var u uint64
	for i := 7; i >= 0; i-- {
		u = u<<8 | uint64(d.s[d.off+i])
	}
	d.off += 8
	return math.Float64frombits(u)
}

func (d *decoder) bool() bool {
	if d.err != nil {
		return false
	}
	if d.off >= len(d.s) {
		d.fail("cut short")
		return false
	}
	b := d.s[d.off]
	d.off++
	if b > 1 {
		d.fail("flag %d", b)
	}
	return b == 1
}

// list reads a list's length; ok is false for a nil list. minBytes is the
// least an element takes, so a length the rest of the body cannot hold
// is refused before anything is allocated for it.
func (d *decoder) list(minBytes int) (n int, ok bool) {
	u := d.uvarint()
	if d.err != nil || u == 0 {
		return 0, false
	}
	if u-1 > uint64((len(d.s)-d.off)/minBytes) {
		d.fail("list of %d, %d bytes left", u-1, len(d.s)-d.off)
		return 0, false
	}
	return int(u - 1), true
}

func (d *decoder) floatPtr() *float64 {
	if !d.bool() {
		return nil
	}
	v := d.float()
	return &v
}

func (d *decoder) intPtr() *int {
	if !d.bool() {
		return nil
	}
	v := d.intv()
	return &v
}

func (d *decoder) box() *shenbao.Box {
	if !d.bool() {
		return nil
	}
	var b shenbao.Box
	for i := range b {
		b[i] = d.float()
	}
	return &b
}
