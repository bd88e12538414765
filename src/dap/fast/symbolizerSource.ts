/**
 * The source of `malloclens-symbolizer`, a small Go program built on demand with the user's own Go
 * toolchain (so it always reads the binary format that toolchain writes). Kept as a string so that
 * the bundled extension and CLI carry it.
 *
 * Why a Go helper: the runtime records each allocation's stack with inlined calls expanded into
 * their own PCs (runtime.Callers semantics). Charging a line needs, per PC, the file and line from
 * the binary's pclntab and the name of the innermost function inlined there. debug/gosym reads the
 * first (exactly what runtime.CallersFrames reports) and debug/dwarf the second (the compiler's
 * DW_TAG_inlined_subroutine ranges); `go tool addr2line` would give the physical function's name
 * for inlined frames. The same DWARF gives the layout of runtime.bucket and runtime.memRecord, so
 * the profile is read with the offsets of the binary at hand rather than assumed ones.
 *
 * It also disassembles the functions whose names match a pattern (the runtime functions where fast
 * mode catches what the profile misses; see runtimeSites.ts) with Go's own x86 decoder, the one
 * `go tool objdump` uses: the toolchain carries it in src/cmd/vendor, and the build copies it next
 * to this program. Of each function it reports the calls and the first instruction of every
 * source line, which is all the sites need.
 *
 * Protocol: `malloclens-symbolizer <binary> <function pattern>` prints one JSON line
 * `{"layout": …, "functions": [{name, instructions: [{pc, length, text, file, line}]}]}` (or
 * `{"error": …}`), then answers every input line of hexadecimal PCs with one JSON array of
 * `{pc, function, file, line}`.
 */
export const SYMBOLIZER_SOURCE = String.raw`// Code generated from malloclens's src/dap/fast/symbolizerSource.ts. DO NOT EDIT.
package main

import (
	"bufio"
	"debug/dwarf"
	"debug/elf"
	"debug/gosym"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"malloclens/symbolizer/x86asm"
)

// inlined is one inlined call's address range; deeper calls are nested in shallower ones.
type inlined struct {
	low, high uint64
	depth     int
	name      string
}

type unitRange struct {
	low, high uint64
	unit      dwarf.Offset
}

type binary struct {
	text   *elf.Section
	table  *gosym.Table
	dwarf  *dwarf.Data
	ranges []unitRange
	units  map[dwarf.Offset][]inlined
	names  map[dwarf.Offset]string
	// Addresses of runtime variables, by name, in hexadecimal.
	globals map[string]string
}

func open(path string) (*binary, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		return nil, fmt.Errorf("%s has no Go line table", path)
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, err
	}
	// Function entries in the line table are offsets from runtime.text, which is where .text
	// starts only when Go linked the program itself: with cgo the external linker puts C code first.
	textStart := text.Addr
	// The runtime's variables the allocation count and the profile are read from, where their
	// addresses are the ones in the file (not a position-independent executable).
	globals := map[string]string{}
	if symbols, err := f.Symbols(); err == nil {
		for _, s := range symbols {
			switch s.Name {
			case "runtime.text":
				textStart = s.Value
			case "runtime.memstats", "runtime.allp", "runtime.emptymspan", "runtime.MemProfileRate", "runtime.mbuckets":
				if f.Type == elf.ET_EXEC {
					globals[s.Name] = fmt.Sprintf("%#x", s.Value)
				}
			}
		}
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, textStart))
	if err != nil {
		return nil, err
	}
	d, err := f.DWARF()
	if err != nil {
		return nil, fmt.Errorf("%s has no DWARF (built with -ldflags=-w?): %v", path, err)
	}
	b := &binary{text: text, table: table, dwarf: d, units: map[dwarf.Offset][]inlined{}, names: map[dwarf.Offset]string{}, globals: globals}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag == dwarf.TagCompileUnit {
			rs, _ := d.Ranges(e)
			for _, rg := range rs {
				b.ranges = append(b.ranges, unitRange{rg[0], rg[1], e.Offset})
			}
		}
		r.SkipChildren()
	}
	sort.Slice(b.ranges, func(i, j int) bool { return b.ranges[i].low < b.ranges[j].low })
	return b, nil
}

func (b *binary) unitOf(pc uint64) (dwarf.Offset, bool) {
	i := sort.Search(len(b.ranges), func(i int) bool { return b.ranges[i].high > pc })
	if i < len(b.ranges) && b.ranges[i].low <= pc {
		return b.ranges[i].unit, true
	}
	return 0, false
}

func (b *binary) nameAt(off dwarf.Offset) string {
	if n, ok := b.names[off]; ok {
		return n
	}
	r := b.dwarf.Reader()
	r.Seek(off)
	name := ""
	if e, err := r.Next(); err == nil && e != nil {
		name, _ = e.Val(dwarf.AttrName).(string)
	}
	b.names[off] = name
	return name
}

// inlinedIn lists a compile unit's inlined calls, read once per unit.
func (b *binary) inlinedIn(unit dwarf.Offset) []inlined {
	if calls, ok := b.units[unit]; ok {
		return calls
	}
	var calls []inlined
	r := b.dwarf.Reader()
	r.Seek(unit)
	depth := 0
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag == 0 {
			depth--
			if depth <= 0 {
				break
			}
			continue
		}
		if e.Tag == dwarf.TagInlinedSubroutine {
			if origin, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
				rs, _ := b.dwarf.Ranges(e)
				for _, rg := range rs {
					calls = append(calls, inlined{rg[0], rg[1], depth, b.nameAt(origin)})
				}
			}
		}
		if e.Children {
			depth++
		}
	}
	b.units[unit] = calls
	return calls
}

// frame answers for one PC as runtime.CallersFrames would: looked up at pc-1 unless pc is a
// function's entry, named after the innermost function inlined there.
func (b *binary) frame(pc uint64) map[string]interface{} {
	out := map[string]interface{}{"pc": fmt.Sprintf("%#x", pc), "function": "???", "file": "", "line": 0}
	fn := b.table.PCToFunc(pc)
	if fn == nil {
		return out
	}
	lookup := pc
	if pc > fn.Entry {
		lookup = pc - 1
	}
	name := fn.Name
	file, line, _ := b.table.PCToLine(lookup)
	if unit, ok := b.unitOf(lookup); ok {
		best := -1
		for _, c := range b.inlinedIn(unit) {
			if c.low <= lookup && lookup < c.high && c.depth > best && c.name != "" {
				best, name = c.depth, c.name
			}
		}
	}
	out["function"], out["file"], out["line"] = name, file, line
	return out
}

// disassemble decodes a function and keeps its calls and the first instruction of each of its
// source lines.
func (b *binary) disassemble(fn gosym.Func) (map[string]interface{}, error) {
	code := make([]byte, fn.End-fn.Entry)
	if _, err := b.text.ReadAt(code, int64(fn.Entry-b.text.Addr)); err != nil {
		return nil, err
	}
	symbol := func(addr uint64) (string, uint64) {
		if f := b.table.PCToFunc(addr); f != nil {
			return f.Name, f.Entry
		}
		return "", 0
	}
	seen := map[string]bool{}
	kept := []map[string]interface{}{}
	for pc := fn.Entry; pc < fn.End; {
		inst, err := x86asm.Decode(code[pc-fn.Entry:], 64)
		if err != nil || inst.Len == 0 {
			return nil, fmt.Errorf("cannot decode %s at %#x: %v", fn.Name, pc, err)
		}
		file, line, _ := b.table.PCToLine(pc)
		place := fmt.Sprintf("%s:%d", file, line)
		if inst.Op == x86asm.CALL || !seen[place] {
			seen[place] = true
			kept = append(kept, map[string]interface{}{"pc": fmt.Sprintf("%#x", pc), "length": inst.Len, "text": x86asm.GoSyntax(inst, pc, symbol), "file": file, "line": line})
		}
		pc += uint64(inst.Len)
	}
	return map[string]interface{}{"name": fn.Name, "instructions": kept}, nil
}

func structLayout(st *dwarf.StructType) map[string]interface{} {
	fields := map[string]int64{}
	out := map[string]interface{}{"size": st.ByteSize, "fields": fields}
	for _, f := range st.Field {
		fields[f.Name] = f.ByteOffset
		if at, ok := f.Type.(*dwarf.ArrayType); ok {
			out[f.Name+"Count"] = at.Count
		}
	}
	return out
}

// The structs the runtime's own allocation count is read through (runtimeMallocs.ts); a runtime
// without one of them is read through Delve instead.
var countStructs = []string{"runtime.mstats", "runtime.consistentHeapStats", "runtime.heapStatsDelta", "runtime.p", "runtime.mcache", "runtime.mspan"}

// layout describes runtime.bucket, runtime.memRecord and runtime.memRecordCycle as compiled, and
// the structs of countStructs where the binary has them.
func (b *binary) layout() (map[string]interface{}, error) {
	want := map[string]*dwarf.StructType{"runtime.bucket": nil, "runtime.memRecord": nil, "runtime.memRecordCycle": nil}
	for _, name := range countStructs {
		want[name] = nil
	}
	found := 0
	r := b.dwarf.Reader()
	for found < len(want) {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag != dwarf.TagStructType {
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if st, wanted := want[name]; !wanted || st != nil {
			continue
		}
		t, err := b.dwarf.Type(e.Offset)
		if err != nil {
			return nil, err
		}
		if st, ok := t.(*dwarf.StructType); ok {
			want[name] = st
			found++
		}
	}
	out := map[string]interface{}{}
	optional := map[string]bool{}
	for _, name := range countStructs {
		optional[name] = true
	}
	for name, st := range want {
		if st == nil {
			if optional[name] {
				continue
			}
			return nil, fmt.Errorf("the binary's DWARF has no type %s", name)
		}
		out[strings.TrimPrefix(name, "runtime.")] = structLayout(st)
	}
	if len(b.globals) > 0 {
		out["globals"] = b.globals
	}
	return out, nil
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	fail := func(err error) {
		enc.Encode(map[string]string{"error": err.Error()})
		out.Flush()
		os.Exit(1)
	}
	if len(os.Args) != 3 {
		fail(fmt.Errorf("usage: malloclens-symbolizer <go binary> <function pattern>"))
	}
	pattern, err := regexp.Compile(os.Args[2])
	if err != nil {
		fail(err)
	}
	b, err := open(os.Args[1])
	if err != nil {
		fail(err)
	}
	l, err := b.layout()
	if err != nil {
		fail(err)
	}
	functions := []map[string]interface{}{}
	for _, fn := range b.table.Funcs {
		if pattern.MatchString(fn.Name) {
			d, err := b.disassemble(fn)
			if err != nil {
				fail(err)
			}
			functions = append(functions, d)
		}
	}
	enc.Encode(map[string]interface{}{"layout": l, "functions": functions})
	out.Flush()
	// The runtime's compile unit is the largest, and every profile stack passes through it: read
	// its inlined calls now, while the program runs, not at the first request.
	if fn := b.table.LookupFunc("runtime.mallocgc"); fn != nil {
		if unit, ok := b.unitOf(fn.Entry); ok {
			b.inlinedIn(unit)
		}
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	for in.Scan() {
		frames := []map[string]interface{}{}
		for _, word := range strings.Fields(in.Text()) {
			if pc, err := strconv.ParseUint(strings.TrimPrefix(word, "0x"), 16, 64); err == nil {
				frames = append(frames, b.frame(pc))
			}
		}
		enc.Encode(frames)
		out.Flush()
	}
}
`;
