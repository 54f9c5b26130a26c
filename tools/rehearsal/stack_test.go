package rehearsal

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// deployed is a stack as moto made it, beside the template it was made from.
type deployed struct {
	c         clients
	stack     string
	resources map[string]resource // the template's, by logical id
	physical  map[string]string   // logical id → physical id, as the stack lists them
	unmodeled map[string]string   // logical id → type: in the template, not in the stack
	arns      map[string]string   // logical id → a pattern of its Arn
	account   string
}

// readStack reads the stack's resources and the Arn of each, and the
// template the framework wrote for it.
func readStack(t *testing.T, c clients, stack, templateFile string) *deployed {
	t.Helper()
	raw, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	d := &deployed{c: c, stack: stack, resources: tpl.Resources, physical: map[string]string{},
		unmodeled: map[string]string{}, arns: map[string]string{}}
	p := cloudformation.NewListStackResourcesPaginator(c.cfn, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.StackResourceSummaries {
			if id := aws.ToString(r.LogicalResourceId); id != "" {
				d.physical[id] = aws.ToString(r.PhysicalResourceId)
			}
		}
	}
	for id, r := range d.resources {
		if _, ok := d.physical[id]; !ok {
			d.unmodeled[id] = r.Type
		}
	}
	for id, r := range d.resources {
		phys, ok := d.physical[id]
		if !ok {
			continue
		}
		switch r.Type {
		case "AWS::IAM::Role":
			out, err := c.iam.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(phys)})
			if err != nil {
				t.Fatalf("%s: GetRole %s: %v", id, phys, err)
			}
			d.arns[id] = regexp.QuoteMeta(aws.ToString(out.Role.Arn))
			if a := strings.Split(aws.ToString(out.Role.Arn), ":"); len(a) > 4 {
				d.account = a[4]
			}
		case "AWS::Lambda::Function":
			out, err := c.lambda.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(phys)})
			if err != nil {
				t.Fatalf("%s: GetFunction %s: %v", id, phys, err)
			}
			d.arns[id] = regexp.QuoteMeta(aws.ToString(out.Configuration.FunctionArn))
		case "AWS::DynamoDB::Table":
			out, err := c.ddb.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(phys)})
			if err != nil {
				t.Fatalf("%s: DescribeTable %s: %v", id, phys, err)
			}
			d.arns[id] = regexp.QuoteMeta(aws.ToString(out.Table.TableArn))
		case "AWS::SQS::Queue":
			d.arns[id] = regexp.QuoteMeta(d.queueAttributes(t, id)[string(sqstypes.QueueAttributeNameQueueArn)])
		case "AWS::Logs::LogGroup":
			// Fn::GetAtt of a log group is its ARN with :* on AWS and
			// without in moto: either grants the group.
			d.arns[id] = regexp.QuoteMeta("arn:aws:logs:"+region+":") + `\d{12}` + regexp.QuoteMeta(":log-group:"+phys) + `(:\*)?`
		case "AWS::S3::Bucket":
			d.arns[id] = regexp.QuoteMeta("arn:aws:s3:::" + phys)
		}
	}
	return d
}

// queueAttributes are every attribute of the queue of logical id.
func (d *deployed) queueAttributes(t *testing.T, id string) map[string]string {
	t.Helper()
	name, _ := d.resources[id].Properties["QueueName"].(string)
	u, err := d.c.sqs.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("%s: GetQueueUrl %s: %v", id, name, err)
	}
	out, err := d.c.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatalf("%s: GetQueueAttributes: %v", id, err)
	}
	return out.Attributes
}

// pattern resolves a template value (a literal or an intrinsic function)
// into a regular expression the deployed value must match: exact, but for
// what moto does not model, which matches any one ARN segment.
func (d *deployed) pattern(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return regexp.QuoteMeta(v), nil
	case float64, bool:
		return regexp.QuoteMeta(fmt.Sprint(v)), nil
	case map[string]any:
		if len(v) != 1 {
			return "", fmt.Errorf("not an intrinsic function: %v", v)
		}
		for fn, arg := range v {
			switch fn {
			case "Ref":
				return d.ref(fmt.Sprint(arg))
			case "Fn::GetAtt":
				parts, _ := arg.([]any)
				if len(parts) != 2 || parts[1] != "Arn" {
					return "", fmt.Errorf("Fn::GetAtt %v: only Arn is read back", arg)
				}
				return d.arn(fmt.Sprint(parts[0]))
			case "Fn::Join":
				parts, _ := arg.([]any)
				if len(parts) != 2 {
					return "", fmt.Errorf("Fn::Join %v", arg)
				}
				list, _ := parts[1].([]any)
				var out []string
				for _, p := range list {
					s, err := d.pattern(p)
					if err != nil {
						return "", err
					}
					out = append(out, s)
				}
				return strings.Join(out, regexp.QuoteMeta(fmt.Sprint(parts[0]))), nil
			case "Fn::Sub":
				return d.sub(arg)
			}
		}
	}
	return "", fmt.Errorf("cannot resolve %v", v)
}

var subVar = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

func (d *deployed) sub(arg any) (string, error) {
	text, vars := "", map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) == 2 {
			text, _ = a[0].(string)
			vars, _ = a[1].(map[string]any)
		}
	}
	// ${!Name} is the literal ${Name}.
	literal := func(s string) string { return regexp.QuoteMeta(strings.ReplaceAll(s, "${!", "${")) }
	var out strings.Builder
	last := 0
	for _, m := range subVar.FindAllStringSubmatchIndex(text, -1) {
		out.WriteString(literal(text[last:m[0]]))
		name := text[m[2]:m[3]]
		var p string
		var err error
		switch {
		case vars[name] != nil:
			p, err = d.pattern(vars[name])
		case strings.HasSuffix(name, ".Arn"):
			p, err = d.arn(strings.TrimSuffix(name, ".Arn"))
		default:
			p, err = d.ref(name)
		}
		if err != nil {
			return "", err
		}
		out.WriteString(p)
		last = m[1]
	}
	out.WriteString(literal(text[last:]))
	return out.String(), nil
}

// anySegment stands for the value of a resource moto does not model.
const anySegment = `[^:/]*`

func (d *deployed) ref(name string) (string, error) {
	switch name {
	case "AWS::Region":
		return regexp.QuoteMeta(region), nil
	case "AWS::AccountId":
		return regexp.QuoteMeta(d.account), nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return regexp.QuoteMeta("amazonaws.com"), nil
	case "AWS::StackName":
		return regexp.QuoteMeta(d.stack), nil
	}
	if _, ok := d.unmodeled[name]; ok {
		return anySegment, nil
	}
	if p, ok := d.physical[name]; ok {
		return regexp.QuoteMeta(p), nil
	}
	return "", fmt.Errorf("Ref %s: no such resource", name)
}

func (d *deployed) arn(name string) (string, error) {
	if _, ok := d.unmodeled[name]; ok {
		return anySegment, nil
	}
	if p, ok := d.arns[name]; ok {
		return p, nil
	}
	return "", fmt.Errorf("Fn::GetAtt %s.Arn: not read back", name)
}

// matches says whether got is what the template's v resolves to.
func (d *deployed) matches(t *testing.T, v any, got string) bool {
	t.Helper()
	p, err := d.pattern(v)
	if err != nil {
		t.Error(err)
		return false
	}
	return regexp.MustCompile("^" + p + "$").MatchString(got)
}

// expect lists the template's logical ids of a type, sorted, failing the
// test unless there are n of them: what is counted, and why that many.
func (d *deployed) expect(t *testing.T, typ string, n int, what, why string) []string {
	t.Helper()
	ids := d.ofType(typ)
	if len(ids) != n {
		t.Fatalf("%d %s in the template, want %s", len(ids), what, why)
	}
	return ids
}

// ofType lists the template's logical ids of a type, sorted.
func (d *deployed) ofType(typ string) []string {
	var ids []string
	for id, r := range d.resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// statement is a policy statement read as a set: its effect, its actions,
// and its resources as the template's patterns or as deployed.
type statement struct {
	Effect    string
	Actions   []string
	Resources []string
}

// policyStatements reads a policy document's statements, whether AWS's
// URL-encoded JSON or moto's Python rendering of it (single quotes).
func policyStatements(doc string) ([]statement, error) {
	if s, err := url.QueryUnescape(doc); err == nil {
		doc = s
	}
	var parsed struct {
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		py := strings.NewReplacer(`'`, `"`, "True", "true", "False", "false", "None", "null").Replace(doc)
		if err2 := json.Unmarshal([]byte(py), &parsed); err2 != nil {
			return nil, fmt.Errorf("policy document %q: %w", doc, err)
		}
	}
	var out []statement
	for _, s := range parsed.Statement {
		out = append(out, statement{Effect: fmt.Sprint(s["Effect"]), Actions: strings1(s["Action"]), Resources: strings1(s["Resource"])})
	}
	return out, nil
}

// strings1 reads a policy's one-or-many value as a sorted list.
func strings1(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		out = []string{v}
	case []any:
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
	}
	slices.Sort(out)
	return out
}

// sameResources says whether each deployed resource matches one of the
// template's, one for one.
func (d *deployed) sameResources(t *testing.T, want any, got []string) bool {
	t.Helper()
	var wants []any
	if l, ok := want.([]any); ok {
		wants = l
	} else {
		wants = []any{want}
	}
	if len(wants) != len(got) {
		return false
	}
	used := make([]bool, len(got))
	for _, w := range wants {
		found := false
		for i, g := range got {
			if !used[i] && d.matches(t, w, g) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
