package registry

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// wireCall is one request the fake DynamoDB endpoint received.
type wireCall struct {
	target, contentType, auth string
	body                      map[string]any
}

// fakeDynamoDB speaks DynamoDB's JSON 1.0 protocol for the three operations
// the registry uses. Queries for "taro" come in three pages; any other user's
// query fails the way DynamoDB reports an unknown table.
func fakeDynamoDB(t *testing.T) (*httptest.Server, func() []wireCall) {
	t.Helper()
	var mu sync.Mutex
	var calls []wireCall
	pages := []string{
		`{"Count":1,"ScannedCount":1,"Items":[{"connectionId":{"S":"a="}}],"LastEvaluatedKey":{"connectionId":{"S":"a="},"userName":{"S":"taro"}}}`,
		`{"Count":0,"ScannedCount":0,"Items":[],"LastEvaluatedKey":{"connectionId":{"S":"b="},"userName":{"S":"taro"}}}`,
		`{"Count":2,"ScannedCount":2,"Items":[{"connectionId":{"S":"c="}},{"connectionId":{"S":"d="}}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		c := wireCall{target: r.Header.Get("X-Amz-Target"), contentType: r.Header.Get("Content-Type"), auth: r.Header.Get("Authorization")}
		if err := json.Unmarshal(raw, &c.body); err != nil {
			t.Errorf("%s: body %q is not JSON: %v", c.target, raw, err)
		}
		mu.Lock()
		calls = append(calls, c)
		runaway := len(calls) > 100
		mu.Unlock()
		if runaway {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"com.amazon.coral.validate#ValidationException","message":"fake: over 100 requests"}`)
			return
		}

		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch c.target {
		case "DynamoDB_20120810.PutItem", "DynamoDB_20120810.DeleteItem":
			io.WriteString(w, `{}`)
		case "DynamoDB_20120810.Query":
			if at(c.body, "ExpressionAttributeValues", ":u", "S") != "taro" {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`)
				return
			}
			// The page after the one whose LastEvaluatedKey names this id.
			n, ok := map[any]int{nil: 0, "a=": 1, "b=": 2}[at(c.body, "ExclusiveStartKey", "connectionId", "S")]
			if !ok {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"__type":"com.amazon.coral.validate#ValidationException","message":"The provided starting key is invalid"}`)
				return
			}
			io.WriteString(w, pages[n])
		default:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []wireCall {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(calls)
	}
}

// at reads a value nested in decoded JSON; nil if the path is missing.
func at(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// The real client sends what the fake DB in registry_test.go assumes.
func TestWithTheSDKClient(t *testing.T) {
	srv, calls := fakeDynamoDB(t)
	cfg := aws.Config{
		Region:           "ap-northeast-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		BaseEndpoint:     aws.String(srv.URL),
	}
	r := NewFromConfig(cfg, table)
	ctx := context.Background()

	if err := r.Add(ctx, Entry{ConnectionID: connID, UserName: "太郎", SourceIP: "192.0.2.1", ConnectedAt: connectedAt}); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if err := r.Remove(ctx, connID); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	ids, err := r.ConnectionsOf(ctx, "taro")
	if err != nil {
		t.Fatalf("ConnectionsOf: %v", err)
	}
	if want := []string{"a=", "c=", "d="}; !slices.Equal(ids, want) {
		t.Errorf("ids = %q, want %q", ids, want)
	}
	_, err = r.ConnectionsOf(ctx, "ghost")
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) || !strings.HasPrefix(err.Error(), `registry: connections of "ghost": page 1: `) {
		t.Errorf("err = %v, want a ResourceNotFoundException behind the registry's prefix", err)
	}

	query := func(start string) string {
		q := `"TableName":"` + table + `","IndexName":"byUser","KeyConditionExpression":"#u = :u","ProjectionExpression":"#c",` +
			`"ExpressionAttributeNames":{"#u":"userName","#c":"connectionId"},"ExpressionAttributeValues":{":u":{"S":"taro"}}`
		if start != "" {
			q += `,"ExclusiveStartKey":{"connectionId":{"S":"` + start + `"},"userName":{"S":"taro"}}`
		}
		return "{" + q + "}"
	}
	want := []struct{ target, body string }{
		{"PutItem", `{"TableName":"` + table + `","Item":{"connectionId":{"S":"` + connID + `"},"userName":{"S":"太郎"},"sourceIp":{"S":"192.0.2.1"},` +
			`"connectedAt":{"S":"2026-11-25T01:00:00.123Z"},"expiresAt":{"N":"` + wantExpiresAt + `"}}}`},
		{"DeleteItem", `{"TableName":"` + table + `","Key":{"connectionId":{"S":"` + connID + `"}}}`},
		{"Query", query("")},
		{"Query", query("a=")},
		{"Query", query("b=")},
	}
	got := calls()
	if len(got) != len(want)+1 { // + the ghost's query
		t.Fatalf("the endpoint got %d requests, want %d", len(got), len(want)+1)
	}
	for i, w := range want {
		c := got[i]
		if c.target != "DynamoDB_20120810."+w.target || c.contentType != "application/x-amz-json-1.0" {
			t.Errorf("request %d: X-Amz-Target %q, Content-Type %q; want DynamoDB_20120810.%s, application/x-amz-json-1.0", i+1, c.target, c.contentType, w.target)
		}
		if !strings.Contains(c.auth, "/ap-northeast-1/dynamodb/aws4_request") {
			t.Errorf("request %d: Authorization = %q, want SigV4 for dynamodb", i+1, c.auth)
		}
		var wantBody map[string]any
		if err := json.Unmarshal([]byte(w.body), &wantBody); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.body, wantBody) {
			gotJSON, _ := json.Marshal(c.body)
			t.Errorf("request %d (%s) body:\n got %s\nwant %s", i+1, w.target, gotJSON, w.body)
		}
	}
}
