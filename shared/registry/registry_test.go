package registry

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const (
	table  = "go-websocket-api-prod-connections"
	connID = "XDmENcnwIE0CFEQ="
)

// fakeDB records every request and answers queries like DynamoDB: the page
// it serves is the one after the page whose LastEvaluatedKey the request
// names as ExclusiveStartKey, so following the wrong key fails.
type fakeDB struct {
	pages    []*dynamodb.QueryOutput // the pages of every query, in order
	err      error                   // every call fails with it
	failPage int                     // only this query page (1-based) fails with err

	mu      sync.Mutex
	puts    []*dynamodb.PutItemInput
	updates []*dynamodb.UpdateItemInput
	deletes []*dynamodb.DeleteItemInput
	queries []*dynamodb.QueryInput
}

func (f *fakeDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, in)
	if f.err != nil {
		return nil, f.err
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (f *fakeDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts = append(f.puts, in)
	if f.err != nil {
		return nil, f.err
	}
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes = append(f.deletes, in)
	if f.err != nil {
		return nil, f.err
	}
	return &dynamodb.DeleteItemOutput{}, nil
}

func (f *fakeDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, in)
	// A registry that stops following the pages would otherwise loop here.
	if len(f.queries) > 100 {
		return nil, errors.New("fake: over 100 queries")
	}
	page := 0
	if in.ExclusiveStartKey != nil {
		page = slices.IndexFunc(f.pages, func(p *dynamodb.QueryOutput) bool {
			return p.LastEvaluatedKey != nil && reflect.DeepEqual(p.LastEvaluatedKey, in.ExclusiveStartKey)
		}) + 1
		if page == 0 {
			return nil, errors.New("fake: ExclusiveStartKey is no page's LastEvaluatedKey")
		}
	}
	if f.err != nil && (f.failPage == 0 || f.failPage == page+1) {
		return nil, f.err
	}
	if page >= len(f.pages) {
		return &dynamodb.QueryOutput{}, nil
	}
	return f.pages[page], nil
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// page is one page of byUser results holding ids; last says whether a
// LastEvaluatedKey follows. On a GSI that key holds the index's and the
// table's key attributes.
func page(user string, last bool, ids ...string) *dynamodb.QueryOutput {
	out := &dynamodb.QueryOutput{}
	for _, id := range ids {
		out.Items = append(out.Items, map[string]types.AttributeValue{attrConnectionID: s(id)})
	}
	if !last {
		key := fmt.Sprintf("after-%p", out)
		out.LastEvaluatedKey = map[string]types.AttributeValue{attrConnectionID: s(key), attrUserName: s(user)}
	}
	return out
}

var (
	// connectedAt is in JST on purpose: the row stores UTC.
	connectedAt = time.Date(2026, 11, 25, 10, 0, 0, 123_456_789, time.FixedZone("JST", 9*3600))
	// 2026-11-25T01:00:00.123Z + 2 h 10 min = 2026-11-25T03:10:00.123Z.
	wantExpiresAt = "1795576200"
)

func TestAdd(t *testing.T) {
	full := Entry{ConnectionID: connID, UserName: "太郎", SourceIP: "192.0.2.1", ConnectedAt: connectedAt}
	noIP := full
	noIP.SourceIP = ""
	tests := []struct {
		name     string
		table    string
		entry    Entry
		wantItem map[string]types.AttributeValue // nil: no request
		wantErr  string
	}{
		{
			name: "every attribute", table: table, entry: full,
			wantItem: map[string]types.AttributeValue{
				"connectionId": s(connID),
				"userName":     s("太郎"),
				"sourceIp":     s("192.0.2.1"),
				"connectedAt":  s("2026-11-25T01:00:00.123Z"),
				"expiresAt":    &types.AttributeValueMemberN{Value: wantExpiresAt},
			},
		},
		{
			name: "no source ip leaves the attribute out", table: table, entry: noIP,
			wantItem: map[string]types.AttributeValue{
				"connectionId": s(connID),
				"userName":     s("太郎"),
				"connectedAt":  s("2026-11-25T01:00:00.123Z"),
				"expiresAt":    &types.AttributeValueMemberN{Value: wantExpiresAt},
			},
		},
		{name: "empty connection id", table: table, entry: Entry{UserName: "taro", ConnectedAt: connectedAt},
			wantErr: "registry: add: invalid input: connection id is empty"},
		{name: "empty user", table: table, entry: Entry{ConnectionID: connID, ConnectedAt: connectedAt},
			wantErr: "registry: add " + connID + ": invalid input: user name is empty"},
		{name: "user not UTF-8", table: table, entry: Entry{ConnectionID: connID, UserName: "ta\xffro", ConnectedAt: connectedAt},
			wantErr: "registry: add " + connID + ": invalid input: user name is not valid UTF-8"},
		{name: "user over a key's 2048 bytes", table: table, entry: Entry{ConnectionID: connID, UserName: strings.Repeat("a", 2049), ConnectedAt: connectedAt},
			wantErr: "registry: add " + connID + ": invalid input: user name is 2049 bytes, over the 2048 of a DynamoDB key"},
		{name: "no connectedAt", table: table, entry: Entry{ConnectionID: connID, UserName: "taro"},
			wantErr: "registry: add " + connID + ": invalid input: connectedAt is not set"},
		{name: "no table", entry: full,
			wantErr: "registry: add " + connID + ": invalid input: no table name (is CONNECTIONS_TABLE set?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{}
			err := New(db, tt.table).Add(context.Background(), tt.entry)

			if tt.wantItem == nil {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, errInvalid) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				if len(db.puts) != 0 {
					t.Errorf("sent %d PutItem, want none for invalid input", len(db.puts))
				}
				return
			}
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			if len(db.puts) != 1 {
				t.Fatalf("sent %d PutItem, want 1", len(db.puts))
			}
			in := db.puts[0]
			if aws.ToString(in.TableName) != table {
				t.Errorf("TableName = %q, want %q", aws.ToString(in.TableName), table)
			}
			if !reflect.DeepEqual(in.Item, tt.wantItem) {
				t.Errorf("Item = %s\nwant %s", show(in.Item), show(tt.wantItem))
			}
			// A condition would make a retried Add fail.
			if in.ConditionExpression != nil {
				t.Errorf("ConditionExpression = %q, want none", *in.ConditionExpression)
			}
		})
	}
}

func TestAddExpiresAfterTheLongestConnection(t *testing.T) {
	db := &fakeDB{}
	at := time.Unix(1_800_000_000, 999_000_000)
	if err := New(db, table).Add(context.Background(), Entry{ConnectionID: connID, UserName: "taro", ConnectedAt: at}); err != nil {
		t.Fatal(err)
	}
	n := db.puts[0].Item[attrExpiresAt].(*types.AttributeValueMemberN).Value
	// Two hours (API Gateway's maximum) and ten minutes, in whole seconds.
	if want := fmt.Sprint(1_800_000_000 + 2*3600 + 10*60); n != want {
		t.Errorf("expiresAt = %s, want %s", n, want)
	}
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name    string
		table   string
		id      string
		wantErr string // "": a request and no error
	}{
		{name: "known or not, one DeleteItem", table: table, id: connID},
		{name: "empty id", table: table, id: "", wantErr: "registry: remove: invalid input: connection id is empty"},
		{name: "no table", id: connID, wantErr: "registry: remove " + connID + ": invalid input: no table name (is CONNECTIONS_TABLE set?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{}
			err := New(db, tt.table).Remove(context.Background(), tt.id)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, errInvalid) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				if len(db.deletes) != 0 {
					t.Errorf("sent %d DeleteItem, want none", len(db.deletes))
				}
				return
			}
			if err != nil {
				t.Fatalf("Remove: %v", err)
			}
			if len(db.deletes) != 1 {
				t.Fatalf("sent %d DeleteItem, want 1", len(db.deletes))
			}
			in := db.deletes[0]
			if aws.ToString(in.TableName) != table {
				t.Errorf("TableName = %q", aws.ToString(in.TableName))
			}
			if want := map[string]types.AttributeValue{"connectionId": s(connID)}; !reflect.DeepEqual(in.Key, want) {
				t.Errorf("Key = %s, want %s", show(in.Key), show(want))
			}
			// Without a condition DeleteItem succeeds for an unknown key:
			// that is what makes a racing Remove harmless.
			if in.ConditionExpression != nil {
				t.Errorf("ConditionExpression = %q, want none", *in.ConditionExpression)
			}
		})
	}
}

func TestConnectionsOf(t *testing.T) {
	tests := []struct {
		name  string
		pages []*dynamodb.QueryOutput
		want  []string
	}{
		{
			name: "every page, an empty one included",
			pages: []*dynamodb.QueryOutput{
				page("taro", false, "a=", "b="),
				page("taro", false),
				page("taro", false, "c="),
				page("taro", true, "d=", "e="),
			},
			want: []string{"a=", "b=", "c=", "d=", "e="},
		},
		{name: "one page", pages: []*dynamodb.QueryOutput{page("taro", true, "a=")}, want: []string{"a="}},
		{name: "nobody", pages: []*dynamodb.QueryOutput{page("taro", true)}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{pages: tt.pages}
			got, err := New(db, table).ConnectionsOf(context.Background(), "taro")
			if err != nil {
				t.Fatalf("ConnectionsOf: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids = %q, want %q", got, tt.want)
			}
			if len(db.queries) != len(tt.pages) {
				t.Fatalf("sent %d Query, want one per page (%d)", len(db.queries), len(tt.pages))
			}
			for i, in := range db.queries {
				checkQuery(t, in, "taro")
				var wantStart map[string]types.AttributeValue
				if i > 0 {
					wantStart = tt.pages[i-1].LastEvaluatedKey
				}
				if !reflect.DeepEqual(in.ExclusiveStartKey, wantStart) {
					t.Errorf("query %d: ExclusiveStartKey = %s, want %s", i+1, show(in.ExclusiveStartKey), show(wantStart))
				}
			}
		})
	}
}

// checkQuery asserts the shape of every byUser query.
func checkQuery(t *testing.T, in *dynamodb.QueryInput, user string) {
	t.Helper()
	if aws.ToString(in.TableName) != table || aws.ToString(in.IndexName) != "byUser" {
		t.Errorf("TableName, IndexName = %q, %q", aws.ToString(in.TableName), aws.ToString(in.IndexName))
	}
	if aws.ToString(in.KeyConditionExpression) != "#u = :u" || aws.ToString(in.ProjectionExpression) != "#c" {
		t.Errorf("KeyConditionExpression, ProjectionExpression = %q, %q", aws.ToString(in.KeyConditionExpression), aws.ToString(in.ProjectionExpression))
	}
	if want := map[string]string{"#u": "userName", "#c": "connectionId"}; !reflect.DeepEqual(in.ExpressionAttributeNames, want) {
		t.Errorf("ExpressionAttributeNames = %v, want %v", in.ExpressionAttributeNames, want)
	}
	if want := map[string]types.AttributeValue{":u": s(user)}; !reflect.DeepEqual(in.ExpressionAttributeValues, want) {
		t.Errorf("ExpressionAttributeValues = %s, want %s", show(in.ExpressionAttributeValues), show(want))
	}
	// A GSI refuses ConsistentRead=true with a ValidationException.
	if in.ConsistentRead != nil || in.FilterExpression != nil || in.Limit != nil || in.Select != "" {
		t.Errorf("unexpected ConsistentRead %v, FilterExpression %v, Limit %v or Select %q", in.ConsistentRead, in.FilterExpression, in.Limit, in.Select)
	}
}

func TestConnectionsOfRefuses(t *testing.T) {
	tests := []struct {
		name, table, user string
		pages             []*dynamodb.QueryOutput
		wantErr           string
		invalid           bool // refused before any request
	}{
		{name: "empty user", table: table, user: "", invalid: true,
			wantErr: `registry: connections of "": invalid input: user name is empty`},
		{name: "user not UTF-8", table: table, user: "\xff", invalid: true,
			wantErr: `registry: connections of "\xff": invalid input: user name is not valid UTF-8`},
		{name: "no table", user: "taro", invalid: true,
			wantErr: `registry: connections of "taro": invalid input: no table name (is CONNECTIONS_TABLE set?)`},
		{name: "a row without a connectionId", table: table, user: "taro",
			pages:   []*dynamodb.QueryOutput{page("taro", false, "a="), {Items: []map[string]types.AttributeValue{{attrUserName: s("taro")}}}},
			wantErr: `registry: connections of "taro": page 2: a row without a connectionId string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{pages: tt.pages}
			got, err := New(db, tt.table).ConnectionsOf(context.Background(), tt.user)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			if errors.Is(err, errInvalid) != tt.invalid {
				t.Errorf("errors.Is(err, errInvalid) = %v, want %v", !tt.invalid, tt.invalid)
			}
			if got != nil {
				t.Errorf("ids = %q, want none with an error", got)
			}
			if tt.invalid && len(db.queries) != 0 {
				t.Errorf("sent %d Query, want none", len(db.queries))
			}
		})
	}
}

// The SDK's error stays in the chain, behind a prefix naming the call.
func TestErrorsWrapTheSDKs(t *testing.T) {
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("Rate of requests exceeds the allowed throughput.")}
	tests := []struct {
		name       string
		call       func(*Registry) error
		failPage   int
		wantPrefix string
		calls      func(*fakeDB) int
		wantCalls  int
	}{
		{
			name: "add",
			call: func(r *Registry) error {
				return r.Add(context.Background(), Entry{ConnectionID: connID, UserName: "taro", ConnectedAt: connectedAt})
			},
			wantPrefix: "registry: add " + connID + ": ",
			calls:      func(db *fakeDB) int { return len(db.puts) },
			wantCalls:  1,
		},
		{
			name:       "remove",
			call:       func(r *Registry) error { return r.Remove(context.Background(), connID) },
			wantPrefix: "registry: remove " + connID + ": ",
			calls:      func(db *fakeDB) int { return len(db.deletes) },
			wantCalls:  1,
		},
		{
			name: "connections of, failing on the second page",
			call: func(r *Registry) error {
				ids, err := r.ConnectionsOf(context.Background(), "taro")
				if ids != nil {
					return fmt.Errorf("got ids %q with the error %w", ids, err)
				}
				return err
			},
			failPage:   2,
			wantPrefix: `registry: connections of "taro": page 2: `,
			calls:      func(db *fakeDB) int { return len(db.queries) },
			wantCalls:  2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{err: throttled, failPage: tt.failPage, pages: []*dynamodb.QueryOutput{page("taro", false, "a="), page("taro", true, "b=")}}
			err := tt.call(New(db, table))
			if err == nil {
				t.Fatal("want an error")
			}
			var got *types.ProvisionedThroughputExceededException
			if !errors.As(err, &got) || got != throttled {
				t.Errorf("errors.As = %v, want the SDK's error in %v", got, err)
			}
			if !strings.HasPrefix(err.Error(), tt.wantPrefix) || !strings.HasSuffix(err.Error(), throttled.Error()) {
				t.Errorf("err = %q, want %q + the SDK's message", err, tt.wantPrefix)
			}
			if errors.Is(err, errInvalid) {
				t.Error("an SDK error reported as invalid input")
			}
			if n := tt.calls(db); n != tt.wantCalls {
				t.Errorf("%d requests, want %d", n, tt.wantCalls)
			}
		})
	}
}

// One Registry serves a container's concurrent invocations.
func TestConcurrentUse(t *testing.T) {
	db := &fakeDB{pages: []*dynamodb.QueryOutput{page("taro", false, "a="), page("taro", true, "b=")}}
	r := New(db, table)
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 8 {
		wg.Go(func() {
			errs <- r.Add(context.Background(), Entry{ConnectionID: fmt.Sprint(i, "="), UserName: "taro", ConnectedAt: connectedAt})
		})
		wg.Go(func() { errs <- r.Remove(context.Background(), fmt.Sprint(i, "=")) })
		wg.Go(func() {
			ids, err := r.ConnectionsOf(context.Background(), "taro")
			if err == nil && !slices.Equal(ids, []string{"a=", "b="}) {
				err = fmt.Errorf("ids = %q", ids)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if len(db.puts) != 8 || len(db.deletes) != 8 || len(db.queries) != 16 {
		t.Errorf("calls = %d puts, %d deletes, %d queries; want 8, 8, 16", len(db.puts), len(db.deletes), len(db.queries))
	}
}

// show prints attribute values readably in failures.
func show(m map[string]types.AttributeValue) string {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		switch v := m[k].(type) {
		case *types.AttributeValueMemberS:
			fmt.Fprintf(&b, "%s: S %q", k, v.Value)
		case *types.AttributeValueMemberN:
			fmt.Fprintf(&b, "%s: N %s", k, v.Value)
		default:
			fmt.Fprintf(&b, "%s: %T", k, v)
		}
	}
	b.WriteString("}")
	return b.String()
}

// TestCountRoom: the count of rooms is raised on the connection's row under
// the limit; a condition that fails (at the limit, or the row gone) is a
// refusal, not an error, and any other failure is an error.
func TestCountRoom(t *testing.T) {
	refused := &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	for _, tt := range []struct {
		name    string
		err     error
		counted bool
		wantErr bool
	}{
		{"under the limit", nil, true, false},
		{"at the limit or gone", refused, false, false},
		{"throttled", errors.New("throttled"), false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{err: tt.err}
			counted, err := New(db, "connections").CountRoom(context.Background(), "c1=", 10)
			if counted != tt.counted || (err != nil) != tt.wantErr {
				t.Errorf("CountRoom = %v, %v; want %v, error %v", counted, err, tt.counted, tt.wantErr)
			}
			in := db.updates[0]
			if *in.TableName != "connections" || show(in.Key) != `{connectionId: S "c1="}` || show(in.ExpressionAttributeValues) != "{:max: N 10, :one: N 1, :zero: N 0}" ||
				in.ExpressionAttributeNames["#n"] != "roomCount" {
				t.Errorf("update %s %s %v %v", *in.TableName, show(in.Key), in.ExpressionAttributeNames, show(in.ExpressionAttributeValues))
			}
			err = New(db, "connections").UncountRoom(context.Background(), "c1=")
			if (err != nil) != tt.wantErr {
				t.Errorf("UncountRoom = %v, want error %v: a count already at zero is left as it is", err, tt.wantErr)
			}
		})
	}
}
