package cloudformation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortForms are the YAML tags CloudFormation reads as intrinsic functions,
// each by the long form it stands for. goformation's ProcessYAML knows all
// but !Condition, keeps !GetAtt A.B a string and registers its tags in a
// package variable on every call, so the template is read here with yaml.v3.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub",
	"!Join": "Fn::Join", "!If": "Fn::If", "!Select": "Fn::Select", "!Split": "Fn::Split",
	"!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or",
	"!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr",
	"!ImportValue": "Fn::ImportValue", "!GetAZs": "Fn::GetAZs", "!Transform": "Fn::Transform",
	"!ToJsonString": "Fn::ToJsonString", "!Length": "Fn::Length",
}

// templateJSON returns a template as JSON: a JSON template as it is, a YAML
// one with its short forms written out as the long ones.
func templateJSON(data []byte) ([]byte, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return data, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("template: neither JSON nor YAML: %w", err)
	}
	if err := longForms(&doc); err != nil {
		return nil, err
	}
	var v any
	if err := doc.Decode(&v); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	return out, nil
}

// longForms rewrites every short-form node under n, in place, as the
// mapping of one key that its long form is.
func longForms(n *yaml.Node) error {
	for _, c := range n.Content {
		if err := longForms(c); err != nil {
			return err
		}
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return nil
	}
	name, ok := shortForms[n.Tag]
	if !ok {
		return fmt.Errorf("template: line %d: %s is no CloudFormation intrinsic function", n.Line, n.Tag)
	}
	arg := *n
	arg.Tag = ""
	switch {
	case n.Kind == yaml.ScalarNode && name == "Fn::GetAtt":
		// !GetAtt Resource.Attribute; the attribute may hold dots itself.
		id, attr, _ := strings.Cut(n.Value, ".")
		arg = yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{yamlString(id), yamlString(attr)}}
	case n.Kind == yaml.ScalarNode:
		arg = *yamlString(n.Value)
	}
	*n = yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column, Content: []*yaml.Node{yamlString(name), &arg}}
	return nil
}

func yamlString(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}
