package membership

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"wsapi/shared/rooms"
)

// fakeDB keeps the two tables in memory and answers the calls the store
// makes as DynamoDB would, conditions included; Query returns pageSize
// items a page.
type fakeDB struct {
	mu       sync.Mutex
	members  map[string][]string // room -> connection ids, sorted
	count    map[string]int      // connectionId -> roomCount; present = the connection's row exists
	pageSize int
	queries  int
}

func newFakeDB(pageSize int, connections ...string) *fakeDB {
	db := &fakeDB{members: map[string][]string{}, count: map[string]int{}, pageSize: pageSize}
	for _, c := range connections {
		db.count[c] = 0
	}
	return db
}

func str(m map[string]types.AttributeValue, k string) string {
	v, _ := m[k].(*types.AttributeValueMemberS)
	if v == nil {
		return ""
	}
	return v.Value
}

var errCondition = &types.ConditionalCheckFailedException{Message: new(string)}

func (db *fakeDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if slices.Contains(db.members[str(in.Key, "room")], str(in.Key, "connectionId")) {
		return &dynamodb.GetItemOutput{Item: in.Key}, nil
	}
	return &dynamodb.GetItemOutput{}, nil
}

func (db *fakeDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	room, id := str(in.Item, "room"), str(in.Item, "connectionId")
	if _, ok := in.Item["expiresAt"].(*types.AttributeValueMemberN); !ok || str(in.Item, "principal") == "" {
		return nil, fmt.Errorf("row without expiresAt or principal: %v", in.Item)
	}
	if slices.Contains(db.members[room], id) {
		return nil, errCondition
	}
	db.members[room] = append(db.members[room], id)
	slices.Sort(db.members[room])
	return &dynamodb.PutItemOutput{}, nil
}

func (db *fakeDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	id := str(in.Key, "connectionId")
	c, ok := db.count[id]
	switch *in.UpdateExpression {
	case "SET #n = if_not_exists(#n, :zero) + :one":
		if !ok || c >= rooms.MaxPerConnection {
			return nil, errCondition
		}
		db.count[id] = c + 1
	case "SET #n = #n - :one":
		if !ok || c <= 0 {
			return nil, errCondition
		}
		db.count[id] = c - 1
	default:
		return nil, fmt.Errorf("unexpected update %s", *in.UpdateExpression)
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (db *fakeDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	room, id := str(in.Key, "room"), str(in.Key, "connectionId")
	i := slices.Index(db.members[room], id)
	if i < 0 {
		return &dynamodb.DeleteItemOutput{}, nil
	}
	db.members[room] = slices.Delete(db.members[room], i, i+1)
	out := &dynamodb.DeleteItemOutput{}
	if in.ReturnValues == types.ReturnValueAllOld {
		out.Attributes = in.Key
	}
	return out, nil
}

func (db *fakeDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.queries++
	var items []map[string]types.AttributeValue
	if in.IndexName != nil {
		id := str(in.ExpressionAttributeValues, ":c")
		for _, room := range slices.Sorted(func(yield func(string) bool) {
			for r := range db.members {
				if !yield(r) {
					return
				}
			}
		}) {
			if slices.Contains(db.members[room], id) {
				items = append(items, map[string]types.AttributeValue{"room": s(room), "connectionId": s(id)})
			}
		}
	} else {
		room := str(in.ExpressionAttributeValues, ":r")
		for _, id := range db.members[room] {
			items = append(items, map[string]types.AttributeValue{"connectionId": s(id)})
		}
	}
	start := 0
	if in.ExclusiveStartKey != nil {
		start, _ = strconv.Atoi(str(in.ExclusiveStartKey, "at"))
	}
	end := min(start+db.pageSize, len(items))
	out := &dynamodb.QueryOutput{Items: items[start:end]}
	if end < len(items) {
		out.LastEvaluatedKey = map[string]types.AttributeValue{"at": s(strconv.Itoa(end))}
	}
	return out, nil
}

var connectedAt = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func member(room, id string) Member {
	return Member{Room: room, ConnectionID: id, Principal: "taro", ConnectedAt: connectedAt}
}

func TestJoinAndLeave(t *testing.T) {
	type step struct {
		op, room, conn string
		want           bool  // joined / left
		wantErr        error // errors.Is
	}
	tests := []struct {
		name  string
		steps []step
		count int // c1='s roomCount after the steps
	}{
		{"join then leave", []step{{"join", "lobby", "c1=", true, nil}, {"leave", "lobby", "c1=", true, nil}}, 0},
		{"joining twice counts once", []step{{"join", "lobby", "c1=", true, nil}, {"join", "lobby", "c1=", false, nil}}, 1},
		{"leaving a room one is not in", []step{{"leave", "lobby", "c1=", false, nil}}, 0},
		{"a closed connection joins nothing", []step{{"join", "lobby", "closed=", false, ErrTooManyRooms}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newFakeDB(10, "c1=")
			st := New(db, "rooms", "connections")
			for _, s := range tt.steps {
				var got bool
				var err error
				if s.op == "join" {
					got, err = st.Join(context.Background(), member(s.room, s.conn))
				} else {
					got, err = st.Leave(context.Background(), s.room, s.conn)
				}
				if got != s.want || !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
					t.Fatalf("%s %s %s = %v, %v; want %v, %v", s.op, s.conn, s.room, got, err, s.want, s.wantErr)
				}
			}
			if db.count["c1="] != tt.count {
				t.Errorf("roomCount = %d, want %d", db.count["c1="], tt.count)
			}
			if in, _ := st.IsMember(context.Background(), "lobby", "closed="); in {
				t.Error("a refused join left its row behind")
			}
		})
	}
}

func TestRoomLimit(t *testing.T) {
	db := newFakeDB(7, "c1=")
	st := New(db, "rooms", "connections")
	ctx := context.Background()
	for i := range rooms.MaxPerConnection {
		if _, err := st.Join(ctx, member(fmt.Sprintf("r%02d", i), "c1=")); err != nil {
			t.Fatalf("join %d: %v", i, err)
		}
	}
	if _, err := st.Join(ctx, member("one-too-many", "c1=")); !errors.Is(err, ErrTooManyRooms) {
		t.Fatalf("join 51: err = %v, want ErrTooManyRooms", err)
	}
	if in, _ := st.IsMember(ctx, "one-too-many", "c1="); in {
		t.Error("the refused room holds the connection")
	}
	if joined, err := st.Join(ctx, member("r00", "c1=")); joined || err != nil {
		t.Errorf("joining a room it is in at the limit = %v, %v; want false, nil", joined, err)
	}
	if _, err := st.Leave(ctx, "r00", "c1="); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Join(ctx, member("one-too-many", "c1=")); err != nil {
		t.Errorf("after leaving one, joining another: %v", err)
	}
	// Forget reads the rooms back through several pages of the index.
	db.queries = 0
	if err := st.Forget(ctx, "c1="); err != nil {
		t.Fatal(err)
	}
	if names, _ := st.RoomsOf(ctx, "c1="); len(names) != 0 {
		t.Errorf("after Forget, in %v", names)
	}
	if db.queries < 8 {
		t.Errorf("%d queries read 50 rooms at 7 a page, want at least 8", db.queries)
	}
}

func TestMembersPages(t *testing.T) {
	tests := []struct {
		members, pageSize, wantPages int
	}{
		{0, 3, 1}, {3, 3, 1}, {7, 3, 3}, {25, 10, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.members, "/", tt.pageSize), func(t *testing.T) {
			db := newFakeDB(tt.pageSize)
			var want []string
			for i := range tt.members {
				id := fmt.Sprintf("m%03d=", i)
				want = append(want, id)
				db.members["lobby"] = append(db.members["lobby"], id)
			}
			st := New(db, "rooms", "connections")
			var got []string
			pages := 0
			err := st.Members(context.Background(), "lobby", func(ids []string) error { pages++; got = append(got, ids...); return nil })
			if err != nil || pages != tt.wantPages || !slices.Equal(got, want) {
				t.Errorf("Members = %d pages %v, %v; want %d pages of %v", pages, got, err, tt.wantPages, want)
			}
			if n, err := st.Count(context.Background(), "lobby"); n != tt.members || err != nil {
				t.Errorf("Count = %d, %v; want %d", n, err, tt.members)
			}
		})
	}
	boom := errors.New("stop")
	db := newFakeDB(1)
	db.members["lobby"] = []string{"a=", "b="}
	if err := New(db, "rooms", "connections").Members(context.Background(), "lobby", func([]string) error { return boom }); !errors.Is(err, boom) || db.queries != 1 {
		t.Errorf("a page's error: %v after %d queries, want it returned after 1", err, db.queries)
	}
}
