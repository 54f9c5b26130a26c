package stackcheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// expectedFile is the one place that declares the stack's functions, routes
// and grants.
const expectedFile = "expected.yml"

// function is one entry of expected.yml.
type function struct {
	Name  string `yaml:"name"`
	Route string `yaml:"route"`
	// Queue names the queue whose event source mapping invokes the
	// function: API Gateway does not, so it has no invoke permission.
	Queue  string            `yaml:"queue"`
	Grants map[string]string `yaml:"grants"`
}

// logicalID is the function's name as the framework writes it in logical
// ids (HelloLambdaFunction, HelloRole, HelloLogGroup).
func (f function) logicalID() string {
	return strings.ToUpper(f.Name[:1]) + f.Name[1:]
}

type expectation struct {
	Resources map[string]string `yaml:"resources"`
	Functions []function        `yaml:"functions"`
}

// routes maps each declared route key to its function's logical id.
func (e expectation) routes() map[string]string {
	out := map[string]string{}
	for _, f := range e.Functions {
		if f.Route != "" {
			out[f.Route] = f.logicalID()
		}
	}
	return out
}

// byQueue says whether the function of this logical id is invoked by a
// queue's event source mapping rather than by API Gateway.
func (e expectation) byQueue(logicalID string) bool {
	for _, f := range e.Functions {
		if f.logicalID() == logicalID {
			return f.Queue != ""
		}
	}
	return false
}

// invoked are the functions API Gateway invokes.
func (e expectation) invoked() []function {
	var out []function
	for _, f := range e.Functions {
		if f.Queue == "" {
			out = append(out, f)
		}
	}
	return out
}

// roles is every role the stack holds, with exactly what each grants: its
// own log group, traces, and the grants its entry declares.
func (e expectation) roles() (map[string]grantSet, error) {
	out := map[string]grantSet{}
	for _, f := range e.Functions {
		id := f.logicalID()
		logs := `{"Fn::GetAtt":["` + id + `LogGroup","Arn"]}`
		g := grantSet{
			"logs:CreateLogStream": logs, "logs:PutLogEvents": logs,
			"xray:PutTraceSegments": `"*"`, "xray:PutTelemetryRecords": `"*"`,
		}
		for action, res := range f.Grants {
			if named, ok := e.Resources[res]; ok {
				res = named
			}
			if !json.Valid([]byte(res)) {
				return nil, fmt.Errorf("%s: %s grants %s on %q: want a name under resources or the template's JSON", expectedFile, f.Name, action, res)
			}
			g[action] = res
		}
		out[id+"Role"] = g
	}
	return out, nil
}

func loadExpectation(path string) (expectation, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return expectation{}, err
	}
	var e expectation
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&e); err != nil {
		return expectation{}, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	for _, f := range e.Functions {
		if f.Name == "" || seen[f.Name] {
			return expectation{}, fmt.Errorf("%s: function %q is empty or declared twice", path, f.Name)
		}
		seen[f.Name] = true
	}
	return e, nil
}

// expected is expected.yml, read once for every test.
var expected = func() expectation {
	e, err := loadExpectation(expectedFile)
	if err != nil {
		panic(err)
	}
	return e
}()

// diff lists what only got holds and what only want holds, one item a line.
func diff(got, want map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if w, ok := want[k]; !ok {
			fmt.Fprintf(&b, "\n  unexpected %s: %s", k, got[k])
		} else if w != got[k] {
			fmt.Fprintf(&b, "\n  %s: %s, want %s", k, got[k], w)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if _, ok := got[k]; !ok {
			fmt.Fprintf(&b, "\n  missing %s: %s", k, want[k])
		}
	}
	return b.String()
}
