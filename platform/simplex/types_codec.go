package simplex

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// This file holds the codec behind every wire struct of the package. It
// decodes in one pass over the bytes, fills the typed fields, and keeps
// whatever it cannot type (unknown members, members whose JSON type drifted,
// nulls) in the struct's Extra, so that encoding a decoded value gives back
// the same members with the same values. encoding/json alone cannot do this:
// it drops unknown members and cannot tell an absent member from a zero one.

// Extra keeps, for one decoded JSON object, what its typed Go fields do not:
// members the package does not know (or whose value did not fit the Go type)
// and which known members were present. It makes decoding lossless: encoding
// a decoded value emits the members that were received, with their values,
// plus any field set since. The zero Extra belongs to a value built in Go,
// which encodes its required fields and its non-empty optional ones.
// Copies of a struct share its Extra's map of members: call Set and Delete
// on one copy only.
type Extra struct {
	unknown map[string]json.RawMessage
	present uint64
	decoded bool
}

// Get returns the raw JSON of a member kept untyped.
func (x *Extra) Get(key string) (json.RawMessage, bool) {
	r, ok := x.unknown[key]
	return r, ok
}

// Keys returns the names of the members kept untyped, sorted.
func (x *Extra) Keys() []string {
	keys := make([]string, 0, len(x.unknown))
	for k := range x.unknown {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Len returns how many members are kept untyped.
func (x *Extra) Len() int { return len(x.unknown) }

// Set stores a member to be emitted as is. raw must be valid JSON; a known
// field of the same name, when emitted, takes precedence.
func (x *Extra) Set(key string, raw json.RawMessage) {
	if x.unknown == nil {
		x.unknown = make(map[string]json.RawMessage)
	}
	x.unknown[key] = raw
}

// Delete removes a member kept untyped.
func (x *Extra) Delete(key string) { delete(x.unknown, key) }

// Decoded reports whether the value came from JSON.
func (x *Extra) Decoded() bool { return x.decoded }

// customWire marks types that encode and decode themselves through their
// json.Marshaler and json.Unmarshaler methods although they hold an Extra.
type customWire interface{ customWire() }

// respTyper is implemented by events and responses; their wire tag is the
// "type" member, which the codec emits from Type().
type respTyper interface{ Type() string }

var (
	extraType     = reflect.TypeFor[Extra]()
	timeType      = reflect.TypeFor[time.Time]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	unmarshalType = reflect.TypeFor[json.Unmarshaler]()
	marshalType   = reflect.TypeFor[json.Marshaler]()
	customType    = reflect.TypeFor[customWire]()
	respTyperType = reflect.TypeFor[respTyper]()
)

// wireMismatch is returned by field decoders when the JSON value does not fit
// the Go type; the struct wireDecoder then keeps the raw value in Extra.
type wireMismatch struct{ what string }

// Error says which JSON type was expected.
func (m *wireMismatch) Error() string { return "simplex: JSON value does not fit " + m.what }

var errWireSyntax = errors.New("simplex: malformed JSON")

type wireCodec struct {
	dec    func(d *wireDecoder, v reflect.Value) error
	enc    func(e *wireEncoder, v reflect.Value) error
	fields *structInfo // set for wire structs
}

type fieldInfo struct {
	name      string
	index     int
	bit       uint64
	omitEmpty bool
	codec     *wireCodec
}

type structInfo struct {
	fields []fieldInfo
	byName map[string]int
	extra  int
	tag    string // emitted as "type" when the struct has no type field
}

var (
	wireCodecCache sync.Map // reflect.Type -> *wireCodec
	buildMu        sync.Mutex
)

func wireCodecFor(t reflect.Type) *wireCodec {
	if c, ok := wireCodecCache.Load(t); ok {
		return c.(*wireCodec)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	building := map[reflect.Type]*wireCodec{}
	c := buildWireCodec(t, building)
	for bt, bc := range building {
		wireCodecCache.Store(bt, bc)
	}
	return c
}

// buildWireCodec builds the codec of t. Recursive types are handled by handing
// out the codec pointer before it is filled; closures dereference it at run
// time. Unsupported field types panic: they are programming errors caught by
// any test that touches the type.
func buildWireCodec(t reflect.Type, building map[reflect.Type]*wireCodec) *wireCodec {
	if c, ok := wireCodecCache.Load(t); ok {
		return c.(*wireCodec)
	}
	if c, ok := building[t]; ok {
		return c
	}
	c := &wireCodec{}
	building[t] = c
	switch {
	case t == rawType:
		c.dec, c.enc = decodeRaw, encodeRaw
	case t == timeType:
		c.dec, c.enc = decodeTime, encodeTime
	case reflect.PointerTo(t).Implements(customType):
		c.dec, c.enc = decodeCustom, encodeCustom
	case t.Kind() == reflect.Struct && hasExtra(t):
		c.fields = buildStruct(t, building)
		si := c.fields
		c.dec = func(d *wireDecoder, v reflect.Value) error {
			if d.enter() {
				return errWireSyntax
			}
			err := decodeStruct(d, v, si)
			d.depth--
			return err
		}
		c.enc = func(e *wireEncoder, v reflect.Value) error { return encodeStruct(e, v, si) }
	case t.Kind() == reflect.String:
		c.dec, c.enc = decodeString, encodeString
	case t.Kind() == reflect.Bool:
		c.dec, c.enc = decodeBool, encodeBool
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64 || t.Kind() == reflect.Int32:
		c.dec, c.enc = decodeInt, encodeInt
	case t.Kind() == reflect.Pointer:
		elem := buildWireCodec(t.Elem(), building)
		et := t.Elem()
		c.dec = func(d *wireDecoder, v reflect.Value) error {
			if d.peek() == 'n' {
				if err := d.literal("null"); err != nil {
					return err
				}
				v.SetZero()
				return nil
			}
			p := reflect.New(et)
			if err := elem.dec(d, p.Elem()); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}
		c.enc = func(e *wireEncoder, v reflect.Value) error {
			if v.IsNil() {
				e.buf = append(e.buf, "null"...)
				return nil
			}
			return elem.enc(e, v.Elem())
		}
	case t.Kind() == reflect.Slice:
		elem := buildWireCodec(t.Elem(), building)
		c.dec = func(d *wireDecoder, v reflect.Value) error {
			if d.enter() {
				return errWireSyntax
			}
			err := decodeSlice(d, v, elem)
			d.depth--
			return err
		}
		c.enc = func(e *wireEncoder, v reflect.Value) error { return encodeSlice(e, v, elem) }
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		elem := buildWireCodec(t.Elem(), building)
		c.dec = func(d *wireDecoder, v reflect.Value) error {
			if d.enter() {
				return errWireSyntax
			}
			err := decodeMap(d, v, elem)
			d.depth--
			return err
		}
		c.enc = func(e *wireEncoder, v reflect.Value) error { return encodeMap(e, v, elem) }
	default:
		panic("simplex: unsupported wire type " + t.String())
	}
	return c
}

func hasExtra(t reflect.Type) bool {
	for i := range t.NumField() {
		if t.Field(i).Type == extraType {
			return true
		}
	}
	return false
}

func buildStruct(t reflect.Type, building map[reflect.Type]*wireCodec) *structInfo {
	si := &structInfo{byName: map[string]int{}, extra: -1}
	hasTypeField := false
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == extraType {
			si.extra = i
			continue
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "" || tag == "-" {
			panic("simplex: wire field " + t.Name() + "." + f.Name + " has no json tag")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "type" {
			hasTypeField = true
		}
		if len(si.fields) == 64 {
			panic("simplex: wire struct " + t.Name() + " has more than 64 fields")
		}
		si.byName[name] = len(si.fields)
		si.fields = append(si.fields, fieldInfo{
			name:      name,
			index:     i,
			bit:       1 << len(si.fields),
			omitEmpty: opts == "omitempty",
			codec:     buildWireCodec(f.Type, building),
		})
	}
	if !hasTypeField && reflect.PointerTo(t).Implements(respTyperType) {
		si.tag = reflect.New(t).Interface().(respTyper).Type()
	}
	return si
}

// ---- decoding ----

type wireDecoder struct {
	data []byte
	pos  int
	// depth counts open objects and arrays, bounded by maxWireDepth so
	// that hostile nesting cannot exhaust the stack.
	depth int
	// copyRaw is set when data is borrowed: raw values kept in Extra are
	// then copied so that they outlive the caller's buffer.
	copyRaw bool
}

func (d *wireDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *wireDecoder) peek() byte {
	d.ws()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func (d *wireDecoder) literal(lit string) error {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return errWireSyntax
	}
	d.pos += len(lit)
	return nil
}

// stringSpan reads a JSON string at the current position, validating it,
// and returns its contents without the quotes, and whether it holds
// escapes.
func (d *wireDecoder) stringSpan() (b []byte, escaped bool, err error) {
	if d.peek() != '"' {
		return nil, false, errWireSyntax
	}
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], escaped, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(d.data) {
				return nil, false, errWireSyntax
			}
			switch d.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d.data) || !jsonIsHex(d.data[i+1]) || !jsonIsHex(d.data[i+2]) || !jsonIsHex(d.data[i+3]) || !jsonIsHex(d.data[i+4]) {
					return nil, false, errWireSyntax
				}
				i += 4
			default:
				return nil, false, errWireSyntax
			}
		case c < 0x20:
			return nil, false, errWireSyntax
		}
	}
	return nil, false, errWireSyntax
}

// jsonUnquote decodes a quoted JSON string with escapes or invalid UTF-8 (the
// slow path; such strings are rare).
func jsonUnquote(quoted []byte) (string, error) {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", errWireSyntax
	}
	return s, nil
}

func jsonIsHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// readString reads a JSON string value. Short known strings (enum values,
// type tags) are interned so that decoding them does not allocate.
func (d *wireDecoder) readString() (string, error) {
	start := d.pos
	b, escaped, err := d.stringSpan()
	if err != nil {
		return "", err
	}
	if escaped || !utf8.Valid(b) {
		return jsonUnquote(d.data[start:d.pos])
	}
	if len(b) == 0 {
		return "", nil
	}
	if len(b) <= maxInterned {
		if s, ok := interned[string(b)]; ok {
			return s, nil
		}
	}
	return string(b), nil
}

// maxWireDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxWireDepth = 1000

// skip moves past one JSON value, validating it, and returns its bytes.
func (d *wireDecoder) skip() ([]byte, error) {
	d.ws()
	start := d.pos
	if err := d.skipValue(); err != nil {
		return nil, err
	}
	return d.data[start:d.pos], nil
}

// enter counts one more level of nesting and reports whether it is too deep
// (the caller then fails; depth is left as is, the decode is over).
func (d *wireDecoder) enter() bool {
	d.depth++
	return d.depth > maxWireDepth
}

func (d *wireDecoder) skipValue() error {
	switch d.peek() {
	case '"':
		_, _, err := d.stringSpan()
		return err
	case '{':
		if d.enter() {
			return errWireSyntax
		}
		d.pos++
		if d.peek() == '}' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			if _, _, err := d.stringSpan(); err != nil {
				return err
			}
			if d.peek() != ':' {
				return errWireSyntax
			}
			d.pos++
			if err := d.skipValue(); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				d.depth--
				return nil
			default:
				return errWireSyntax
			}
		}
	case '[':
		if d.enter() {
			return errWireSyntax
		}
		d.pos++
		if d.peek() == ']' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			if err := d.skipValue(); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.depth--
				return nil
			default:
				return errWireSyntax
			}
		}
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return d.number()
}

// number moves past a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *wireDecoder) number() error {
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		d.pos++
	}
	if d.pos < len(d.data) && d.data[d.pos] == '0' {
		d.pos++
	} else if digits() == 0 {
		return errWireSyntax
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return errWireSyntax
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return errWireSyntax
		}
	}
	return nil
}

// end checks that only whitespace follows the value.
func (d *wireDecoder) end() error {
	d.ws()
	if d.pos != len(d.data) {
		return errWireSyntax
	}
	return nil
}

func (d *wireDecoder) keep(raw []byte) json.RawMessage {
	if d.copyRaw {
		return append(json.RawMessage(nil), raw...)
	}
	return raw
}

func extraOf(v reflect.Value, si *structInfo) *Extra {
	return v.Field(si.extra).Addr().Interface().(*Extra)
}

func decodeStruct(d *wireDecoder, v reflect.Value, si *structInfo) error {
	if d.peek() != '{' {
		return &wireMismatch{"an object"}
	}
	d.pos++
	x := extraOf(v, si)
	x.decoded = true
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		kstart := d.pos
		kb, escaped, err := d.stringSpan()
		if err != nil {
			return err
		}
		var key string
		fi, known := -1, false
		if escaped {
			if key, err = jsonUnquote(d.data[kstart:d.pos]); err != nil {
				return err
			}
			fi, known = si.byName[key]
		} else {
			fi, known = si.byName[string(kb)]
		}
		if d.peek() != ':' {
			return errWireSyntax
		}
		d.pos++
		d.ws()
		vstart := d.pos
		switch {
		case known:
			f := &si.fields[fi]
			fv := v.Field(f.index)
			err := f.codec.dec(d, fv)
			if err == nil {
				x.present |= f.bit
				break
			}
			var mm *wireMismatch
			if !errors.As(err, &mm) {
				return err
			}
			// The value does not fit the Go type (protocol drift, or null
			// for a non-pointer): keep it raw rather than fail or lose it.
			fv.SetZero()
			x.present &^= f.bit
			d.pos = vstart
			raw, err := d.skip()
			if err != nil {
				return err
			}
			x.Set(f.name, d.keep(raw))
		case si.tag != "" && string(kb) == "type" && !escaped:
			if _, err := d.skip(); err != nil {
				return err
			}
		default:
			raw, err := d.skip()
			if err != nil {
				return err
			}
			if !escaped {
				key = string(kb)
			}
			x.Set(key, d.keep(raw))
		}
		switch d.peek() {
		case ',':
			d.pos++
			d.ws()
		case '}':
			d.pos++
			return nil
		default:
			return errWireSyntax
		}
	}
}

func decodeString(d *wireDecoder, v reflect.Value) error {
	if d.peek() != '"' {
		return &wireMismatch{"a string"}
	}
	s, err := d.readString()
	if err != nil {
		return err
	}
	v.SetString(s)
	return nil
}

func decodeBool(d *wireDecoder, v reflect.Value) error {
	switch d.peek() {
	case 't':
		if err := d.literal("true"); err != nil {
			return err
		}
		v.SetBool(true)
	case 'f':
		if err := d.literal("false"); err != nil {
			return err
		}
		v.SetBool(false)
	default:
		return &wireMismatch{"a boolean"}
	}
	return nil
}

func decodeInt(d *wireDecoder, v reflect.Value) error {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		return &wireMismatch{"an integer"}
	}
	start := d.pos
	raw, err := d.skip()
	if err != nil {
		return err
	}
	n, ok := jsonParseInt(raw)
	if !ok || v.OverflowInt(n) {
		d.pos = start
		return &wireMismatch{"an integer"}
	}
	v.SetInt(n)
	return nil
}

// jsonParseInt parses a JSON integer without allocating.
func jsonParseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

func decodeTime(d *wireDecoder, v reflect.Value) error {
	if d.peek() != '"' {
		return &wireMismatch{"a timestamp"}
	}
	start := d.pos
	b, escaped, err := d.stringSpan()
	if err != nil {
		return err
	}
	t, ok := parseTimeFast(b)
	if !ok {
		if escaped {
			d.pos = start
			return &wireMismatch{"a timestamp"}
		}
		t, err = time.Parse(time.RFC3339Nano, string(b))
		if err != nil {
			d.pos = start
			return &wireMismatch{"a timestamp"}
		}
	}
	*(v.Addr().Interface().(*time.Time)) = t
	return nil
}

// parseTimeFast parses the UTC form the chat core emits,
// "2006-01-02T15:04:05[.fraction]Z", without allocating.
func parseTimeFast(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		nsec = n
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 June and the like: let time.Parse reject it
		return time.Time{}, false
	}
	return t, true
}

func decodeRaw(d *wireDecoder, v reflect.Value) error {
	raw, err := d.skip()
	if err != nil {
		return err
	}
	v.SetBytes(d.keep(raw))
	return nil
}

func decodeCustom(d *wireDecoder, v reflect.Value) error {
	start := d.pos
	raw, err := d.skip()
	if err != nil {
		return err
	}
	if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(d.keep(raw)); err != nil {
		d.pos = start
		return &wireMismatch{v.Type().Name()}
	}
	return nil
}

func decodeSlice(d *wireDecoder, v reflect.Value, elem *wireCodec) error {
	if d.peek() != '[' {
		return &wireMismatch{"an array"}
	}
	d.pos++
	// Decode in place: v is addressable (a field, element or fresh value).
	v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for {
		n := v.Len()
		if n == v.Cap() {
			v.Grow(max(4, n))
		}
		v.SetLen(n + 1)
		if err := elem.dec(d, v.Index(n)); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return errWireSyntax
		}
	}
}

func decodeMap(d *wireDecoder, v reflect.Value, elem *wireCodec) error {
	if d.peek() != '{' {
		return &wireMismatch{"an object"}
	}
	d.pos++
	m := reflect.MakeMap(v.Type())
	if d.peek() == '}' {
		d.pos++
		v.Set(m)
		return nil
	}
	et := v.Type().Elem()
	for {
		d.ws()
		k, err := d.readString()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return errWireSyntax
		}
		d.pos++
		ev := reflect.New(et).Elem()
		if err := elem.dec(d, ev); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			v.Set(m)
			return nil
		default:
			return errWireSyntax
		}
	}
}

// ---- encoding ----

type wireEncoder struct{ buf []byte }

func encodeStruct(e *wireEncoder, v reflect.Value, si *structInfo) error {
	var x Extra
	if v.CanAddr() {
		x = *extraOf(v, si)
	} else {
		x = v.Field(si.extra).Interface().(Extra)
	}
	e.buf = append(e.buf, '{')
	first := true
	sep := func() {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
	}
	if si.tag != "" {
		sep()
		e.buf = append(e.buf, `"type":`...)
		e.buf = jsonAppendString(e.buf, si.tag)
	}
	var emitted uint64
	for i := range si.fields {
		f := &si.fields[i]
		fv := v.Field(f.index)
		if x.present&f.bit == 0 && fv.IsZero() && (x.decoded || f.omitEmpty) {
			continue
		}
		sep()
		e.buf = jsonAppendString(e.buf, f.name)
		e.buf = append(e.buf, ':')
		if err := f.codec.enc(e, fv); err != nil {
			return err
		}
		emitted |= f.bit
	}
	if len(x.unknown) > 0 {
		for _, k := range x.Keys() {
			if fi, ok := si.byName[k]; ok && emitted&si.fields[fi].bit != 0 {
				continue
			}
			raw := x.unknown[k]
			if len(raw) == 0 {
				continue
			}
			sep()
			e.buf = jsonAppendString(e.buf, k)
			e.buf = append(e.buf, ':')
			e.buf = append(e.buf, raw...)
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func encodeString(e *wireEncoder, v reflect.Value) error {
	e.buf = jsonAppendString(e.buf, v.String())
	return nil
}

func encodeBool(e *wireEncoder, v reflect.Value) error {
	e.buf = strconv.AppendBool(e.buf, v.Bool())
	return nil
}

func encodeInt(e *wireEncoder, v reflect.Value) error {
	e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	return nil
}

func encodeTime(e *wireEncoder, v reflect.Value) error {
	var t time.Time
	if v.CanAddr() {
		t = *(v.Addr().Interface().(*time.Time))
	} else {
		t = v.Interface().(time.Time)
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("simplex: timestamp year %d out of range", y)
	}
	e.buf = append(e.buf, '"')
	e.buf = t.AppendFormat(e.buf, time.RFC3339Nano)
	e.buf = append(e.buf, '"')
	return nil
}

func encodeRaw(e *wireEncoder, v reflect.Value) error {
	b := v.Bytes()
	if len(b) == 0 {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	e.buf = append(e.buf, b...)
	return nil
}

func encodeCustom(e *wireEncoder, v reflect.Value) error {
	var m json.Marshaler
	if v.CanAddr() {
		m = v.Addr().Interface().(json.Marshaler)
	} else {
		m = v.Interface().(json.Marshaler)
	}
	b, err := m.MarshalJSON()
	if err != nil {
		return err
	}
	e.buf = append(e.buf, b...)
	return nil
}

// encodeSlice writes nil slices as [] because the chat core's arrays are
// never optional-by-null.
func encodeSlice(e *wireEncoder, v reflect.Value, elem *wireCodec) error {
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := elem.enc(e, v.Index(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// encodeMap writes nil maps as {} (the chat core requires "mentions":{}),
// with keys sorted for stable output.
func encodeMap(e *wireEncoder, v reflect.Value, elem *wireCodec) error {
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = jsonAppendString(e.buf, k.String())
		e.buf = append(e.buf, ':')
		if err := elem.enc(e, v.MapIndex(k)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

const jsonHexDigits = "0123456789abcdef"

// jsonAppendString writes s as a JSON string. It escapes what JSON requires and
// replaces invalid UTF-8 with U+FFFD (as a character, so that encoding
// what it decodes to gives the same bytes), leaving everything else
// (including <, > and &) as is, which keeps command strings readable.
func jsonAppendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', jsonHexDigits[c>>4], jsonHexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = utf8.AppendRune(buf, utf8.RuneError)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// ---- entry points ----

// unmarshalWire decodes data into the wire value pointed to by v. data is
// borrowed, so raw values kept are copied.
func unmarshalWire(data []byte, v any) error {
	rv := reflect.ValueOf(v).Elem()
	rv.SetZero()
	d := &wireDecoder{data: data, copyRaw: true}
	if err := decodeInto(d, rv); err != nil {
		return err
	}
	return d.end()
}

func decodeInto(d *wireDecoder, rv reflect.Value) error {
	if err := wireCodecFor(rv.Type()).dec(d, rv); err != nil {
		var mm *wireMismatch
		if errors.As(err, &mm) {
			return fmt.Errorf("simplex: decoding %s: %w", rv.Type().Name(), err)
		}
		return err
	}
	return nil
}

// marshalWire encodes the wire value pointed to by v.
func marshalWire(v any) ([]byte, error) {
	return appendWire(nil, v)
}

// appendWire appends the encoding of the value pointed to by v.
func appendWire(buf []byte, v any) ([]byte, error) {
	rv := reflect.ValueOf(v).Elem()
	e := &wireEncoder{buf: buf}
	if err := wireCodecFor(rv.Type()).enc(e, rv); err != nil {
		return nil, err
	}
	return e.buf, nil
}

func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
