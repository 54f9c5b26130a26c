package slsconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A variable is one `${...}` in a string: its byte range and its sources,
// tried in order until one has a value.
type variable struct {
	start, end int
	sources    []source
}

// A source is `type:address`, or a literal when typ is "". The params of
// `type(params):address` are skipped: only sources this package cannot
// resolve (file, ssm, ...) take them.
type source struct {
	typ     string
	address string // may hold variables of its own
	literal any
}

var errUnterminated = errors.New("missing closing }")

// parseVariables finds the variables in s with the Serverless Framework's
// grammar: a variable opens with `${` and a lower-case source type followed
// by ':' or '('. Anything else that looks alike, such as ${AWS::Region} in a
// Fn::Sub, belongs to CloudFormation and is left as written.
func parseVariables(s string) ([]variable, error) {
	var vars []variable
	for i := 0; ; {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			return vars, nil
		}
		start := i + j
		if !opensVariable(s, start) {
			i = start + 2
			continue
		}
		v, err := parseVariable(s, start, 0)
		if err != nil {
			return nil, err
		}
		vars = append(vars, v)
		i = v.end
	}
}

func opensVariable(s string, i int) bool {
	j := i + 2
	if j >= len(s) || s[j] < 'a' || s[j] > 'z' {
		return false
	}
	for j < len(s) && isAlnum(s[j]) {
		j++
	}
	return j < len(s) && (s[j] == ':' || s[j] == '(')
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

type scanner struct {
	s     string
	i     int
	depth int // of variables nested in addresses and params
}

// maxDepth bounds nesting so that no input can exhaust the stack.
const maxDepth = 32

// parseVariable reads the variable whose `${` is at s[start].
func parseVariable(s string, start, depth int) (variable, error) {
	if depth > maxDepth {
		return variable{}, fmt.Errorf("variables nested more than %d deep", maxDepth)
	}
	p := scanner{s: s, i: start + 2, depth: depth}
	v := variable{start: start}
	for {
		src, err := p.source(len(v.sources) == 0)
		if err != nil {
			return v, err
		}
		v.sources = append(v.sources, src)
		p.spaces()
		if p.i >= len(s) {
			return v, errUnterminated
		}
		switch s[p.i] {
		case '}':
			p.i++
			v.end = p.i
			return v, nil
		case ',':
			p.i++
		default:
			return v, fmt.Errorf("unexpected %q after a source", s[p.i])
		}
	}
}

func (p *scanner) spaces() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *scanner) source(first bool) (source, error) {
	p.spaces()
	if p.i >= len(p.s) {
		return source{}, errUnterminated
	}
	switch p.s[p.i] {
	case '\'', '"':
		text, err := p.quoted()
		return source{literal: text}, err
	case '$':
		if !first {
			return source{}, errors.New("a fallback is written without ${ }, as in ${opt:stage, self:custom.stage}")
		}
	}
	start := p.i
	for p.i < len(p.s) && (isAlnum(p.s[p.i]) || p.s[p.i] == '.' || p.s[p.i] == '-') {
		p.i++
	}
	word := p.s[start:p.i]
	p.spaces()
	if p.i < len(p.s) && (p.s[p.i] == ':' || p.s[p.i] == '(') {
		if !sourceType.MatchString(word) {
			return source{}, fmt.Errorf("invalid source type %q", word)
		}
		src := source{typ: word}
		if p.s[p.i] == '(' {
			if err := p.skipParams(); err != nil {
				return src, err
			}
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return src, nil
			}
		}
		p.i++ // the ':'
		var err error
		src.address, err = p.address()
		return src, err
	}
	if lit, ok := parseLiteral(word); ok {
		return source{literal: lit}, nil
	}
	if word == "" {
		return source{}, errors.New("missing source")
	}
	return source{}, fmt.Errorf("invalid fallback %s: quote text, as in '%s'", word, word)
}

var (
	sourceType = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	number     = regexp.MustCompile(`^-?(\d+\.?\d*|\.\d+)([eE]-?\d+)?$`)
)

// parseLiteral reads an unquoted fallback: a number, true, false or null.
func parseLiteral(word string) (any, bool) {
	switch word {
	case "true":
		return true, true
	case "false":
		return false, true
	case "null":
		return nil, true
	}
	if !number.MatchString(word) {
		return nil, false
	}
	if i, err := strconv.Atoi(word); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(word, 64)
	return f, err == nil
}

// quoted reads a single-quoted string, taken as written, or a
// double-quoted one with JSON escapes, as the framework does.
func (p *scanner) quoted() (string, error) {
	q := p.s[p.i]
	j := p.i + 1
	for ; j < len(p.s) && p.s[j] != q; j++ {
		if q == '"' && p.s[j] == '\\' {
			j++
		}
	}
	if j >= len(p.s) {
		return "", fmt.Errorf("missing closing %c", q)
	}
	raw := p.s[p.i : j+1]
	p.i = j + 1
	if q == '\'' {
		return raw[1 : len(raw)-1], nil
	}
	var text string
	if err := json.Unmarshal([]byte(raw), &text); err != nil {
		return "", fmt.Errorf("invalid string %s: %w", raw, err)
	}
	return text, nil
}

// address reads up to the ',' or '}' that ends the source, stepping over
// nested variables.
func (p *scanner) address() (string, error) {
	p.spaces()
	if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		return p.quoted()
	}
	start := p.i
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ',', '}':
			return strings.TrimSpace(p.s[start:p.i]), nil
		case '$':
			if err := p.nested(); err != nil {
				return "", err
			}
			continue
		}
		p.i++
	}
	return "", errUnterminated
}

// nested steps over the variable at p.i, if there is one, or over the '$'.
func (p *scanner) nested() error {
	if !strings.HasPrefix(p.s[p.i:], "${") {
		p.i++
		return nil
	}
	if !opensVariable(p.s, p.i) {
		return errors.New("a variable may hold only variables")
	}
	v, err := parseVariable(p.s, p.i, p.depth+1)
	p.i = v.end
	return err
}

func (p *scanner) skipParams() error {
	for p.i++; p.i < len(p.s); {
		switch p.s[p.i] {
		case ')':
			p.i++
			return nil
		case '\'', '"':
			if _, err := p.quoted(); err != nil {
				return err
			}
		case '$':
			if err := p.nested(); err != nil {
				return err
			}
		default:
			p.i++
		}
	}
	return errors.New("missing closing )")
}
