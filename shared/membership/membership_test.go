package membership

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"wsapi/shared/registry"
	"wsapi/shared/rooms"
)

// fakeDB keeps the two tables in memory and answers the calls the store
// makes as DynamoDB would, conditions included; Query returns pageSize
// items a page, a room's count row first, as "#" sorts, unless the key
// condition leaves it out.
type fakeDB struct {
	mu      sync.Mutex
	members map[string][]string // room -> connection ids, sorted
	count   map[string]int      // connectionId -> roomCount; present = the connection's row exists
	size    map[string]int      // room -> members on its count row; present = the row exists
	expires map[string]int64    // room -> its count row's expiresAt
	counted map[string]bool     // room+" "+connectionId -> the row says it is counted
	// stale, when set for a connection, is what the byConnection index
	// still shows of its rooms: the index is eventually consistent.
	stale map[string][]string
	// afterPut, when set, runs once after the next row is put, standing
	// in for another function's call landing right then.
	afterPut func()
	pageSize int
	queries  int
	// failUpdate, when set, answers the UpdateItem of that table and
	// expression with an error; failPut, when set, answers PutItem with it.
	failUpdate string
	failPut    error
	// writes counts the calls that changed a table.
	writes int
}

var errUpdate = errors.New("update failed")

func newFakeDB(pageSize int, connections ...string) *fakeDB {
	db := &fakeDB{members: map[string][]string{}, count: map[string]int{}, size: map[string]int{}, expires: map[string]int64{},
		counted: map[string]bool{}, stale: map[string][]string{}, pageSize: pageSize}
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
	room, id := str(in.Key, "room"), str(in.Key, "connectionId")
	if size, ok := db.size[room]; ok && id == "#" {
		return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{"members": n(int64(size))}}, nil
	}
	if slices.Contains(db.members[room], id) {
		return &dynamodb.GetItemOutput{Item: in.Key}, nil
	}
	return &dynamodb.GetItemOutput{}, nil
}

func (db *fakeDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := db.putItem(in)
	if h := db.afterPut; err == nil && h != nil {
		db.afterPut = nil
		h()
	}
	return out, err
}

func (db *fakeDB) putItem(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	room, id := str(in.Item, "room"), str(in.Item, "connectionId")
	if _, ok := in.Item["expiresAt"].(*types.AttributeValueMemberN); !ok || str(in.Item, "principal") == "" {
		return nil, fmt.Errorf("row without expiresAt or principal: %v", in.Item)
	}
	if db.failPut != nil {
		return nil, db.failPut
	}
	if slices.Contains(db.members[room], id) {
		return nil, errCondition
	}
	db.writes++
	db.members[room] = append(db.members[room], id)
	slices.Sort(db.members[room])
	if c, ok := in.Item["counted"].(*types.AttributeValueMemberBOOL); ok && c.Value {
		db.counted[room+" "+id] = true
	}
	return &dynamodb.PutItemOutput{}, nil
}

func (db *fakeDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.failUpdate == *in.TableName+" "+*in.UpdateExpression {
		return nil, errUpdate
	}
	if *in.TableName == "rooms" {
		return db.updateSize(in)
	}
	id := str(in.Key, "connectionId")
	c, ok := db.count[id]
	switch *in.UpdateExpression {
	case "SET #n = if_not_exists(#n, :zero) + :one":
		if !ok || c >= rooms.MaxPerConnection {
			return nil, errCondition
		}
		db.count[id] = c + 1
		db.writes++
	case "SET #n = #n - :one":
		if !ok || c <= 0 {
			return nil, errCondition
		}
		db.count[id] = c - 1
		db.writes++
	default:
		return nil, fmt.Errorf("unexpected update %s", *in.UpdateExpression)
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

// updateSize answers the updates of a room's count row.
func (db *fakeDB) updateSize(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
	room := str(in.Key, "room")
	if k := str(in.Key, "connectionId"); k != "#" {
		return nil, fmt.Errorf("update of the rooms table's row %q, want its count row", k)
	}
	d, err := strconv.Atoi(in.ExpressionAttributeValues[":d"].(*types.AttributeValueMemberN).Value)
	if err != nil {
		return nil, err
	}
	c, ok := db.size[room]
	switch *in.UpdateExpression {
	case "ADD #m :d SET #e = :e":
		e, err := strconv.ParseInt(in.ExpressionAttributeValues[":e"].(*types.AttributeValueMemberN).Value, 10, 64)
		if err != nil || in.ConditionExpression != nil {
			return nil, fmt.Errorf("count row's +1: expiresAt %v, condition %v", err, in.ConditionExpression)
		}
		db.expires[room] = e
	case "ADD #m :d":
		if in.ConditionExpression == nil || *in.ConditionExpression != "attribute_exists(#m)" {
			return nil, fmt.Errorf("unexpected condition %v", in.ConditionExpression)
		}
		if !ok {
			return nil, errCondition
		}
	default:
		return nil, fmt.Errorf("unexpected update %s", *in.UpdateExpression)
	}
	db.size[room] = c + d
	db.writes++
	out := &dynamodb.UpdateItemOutput{}
	if in.ReturnValues == types.ReturnValueAllNew {
		out.Attributes = map[string]types.AttributeValue{"room": s(room), "connectionId": s("#"), "members": n(int64(c + d))}
	}
	return out, nil
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
	db.writes++
	out := &dynamodb.DeleteItemOutput{}
	if in.ReturnValues == types.ReturnValueAllOld {
		out.Attributes = maps.Clone(in.Key)
		if db.counted[room+" "+id] {
			out.Attributes["counted"] = &types.AttributeValueMemberBOOL{Value: true}
		}
	}
	delete(db.counted, room+" "+id)
	return out, nil
}

func (db *fakeDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.queries++
	var items []map[string]types.AttributeValue
	if in.IndexName != nil && db.stale[str(in.ExpressionAttributeValues, ":c")] != nil {
		id := str(in.ExpressionAttributeValues, ":c")
		for _, room := range db.stale[id] {
			items = append(items, map[string]types.AttributeValue{"room": s(room), "connectionId": s(id)})
		}
	} else if in.IndexName != nil {
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
		if _, ok := db.size[room]; ok && *in.KeyConditionExpression != "#r = :r AND #c > :count" {
			items = append(items, map[string]types.AttributeValue{"connectionId": s("#")})
		}
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
		want           int   // join: members answered; leave and forget: 1 when the connection was in the room
		wantErr        error // errors.Is
	}
	tests := []struct {
		name    string
		steps   []step
		count   int // c1='s roomCount after the steps
		members int // lobby's count of members after the steps
	}{
		{"join then leave", []step{{"join", "lobby", "c1=", 1, nil}, {"leave", "lobby", "c1=", 1, nil}}, 0, 0},
		{"joining twice counts once", []step{{"join", "lobby", "c1=", 1, nil}, {"join", "lobby", "c1=", 1, nil}}, 1, 1},
		{"each join answers the room's size", []step{{"join", "lobby", "c1=", 1, nil}, {"join", "lobby", "c2=", 2, nil}, {"join", "lobby", "c3=", 3, nil},
			{"join", "lobby", "c2=", 3, nil}, {"leave", "lobby", "c2=", 1, nil}, {"join", "lobby", "c2=", 3, nil}}, 1, 3},
		{"leaving a room one is not in", []step{{"leave", "lobby", "c1=", 0, nil}}, 0, 0},
		{"leaving twice counts once", []step{{"join", "lobby", "c1=", 1, nil}, {"join", "lobby", "c2=", 2, nil},
			{"leave", "lobby", "c1=", 1, nil}, {"leave", "lobby", "c1=", 0, nil}}, 0, 1},
		{"forgetting twice counts once", []step{{"join", "lobby", "c1=", 1, nil}, {"join", "lobby", "c2=", 2, nil},
			{"forget", "", "c2=", 1, nil}, {"forget", "", "c2=", 0, nil}}, 1, 1},
		{"a leave and a 410 racing count once", []step{{"join", "lobby", "c1=", 1, nil}, {"join", "lobby", "c2=", 2, nil},
			{"leave", "lobby", "c2=", 1, nil}, {"forget", "", "c2=", 0, nil}}, 1, 1},
		{"a closed connection joins nothing", []step{{"join", "lobby", "closed=", 0, ErrTooManyRooms}}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newFakeDB(10, "c1=", "c2=", "c3=")
			// The index still lists c2='s room after its row is gone, so a
			// second forget finds a room to forget it in.
			db.stale["c2="] = []string{"lobby"}
			st := New(db, "rooms", registry.New(db, "connections"))
			ctx := context.Background()
			for _, s := range tt.steps {
				var got int
				var err error
				switch s.op {
				case "join":
					got, err = st.Join(ctx, member(s.room, s.conn))
				case "leave":
					var left bool
					left, err = st.Leave(ctx, s.room, s.conn)
					got = map[bool]int{true: 1}[left]
				case "forget":
					before := db.size["lobby"]
					err = st.Forget(ctx, s.conn)
					got = before - db.size["lobby"]
				}
				if got != s.want || !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
					t.Fatalf("%s %s %s = %v, %v; want %v, %v", s.op, s.conn, s.room, got, err, s.want, s.wantErr)
				}
			}
			if db.count["c1="] != tt.count {
				t.Errorf("roomCount = %d, want %d", db.count["c1="], tt.count)
			}
			if db.size["lobby"] != tt.members {
				t.Errorf("lobby counts %d members, want %d", db.size["lobby"], tt.members)
			}
			if n := len(db.members["lobby"]); n != tt.members {
				t.Errorf("lobby holds %d rows, want %d: the count does not match the rows", n, tt.members)
			}
			if in, _ := st.IsMember(ctx, "lobby", "closed="); in {
				t.Error("a refused join left its row behind")
			}
		})
	}
}

// A join is answered without reading the room: reading it made filling a
// room of n members cost n²/2 row reads.
func TestJoinsMakeNoQuery(t *testing.T) {
	db := newFakeDB(10)
	st := New(db, "rooms", registry.New(db, "connections"))
	for i := range 100 {
		id := fmt.Sprintf("c%03d=", i)
		db.count[id] = 0
		if got, err := st.Join(context.Background(), member("lobby", id)); got != i+1 || err != nil {
			t.Fatalf("join %d = %d, %v; want %d", i, got, err, i+1)
		}
	}
	if db.queries != 0 {
		t.Errorf("100 joins made %d queries, want none", db.queries)
	}
}

// A write that fails part-way leaves both counts true: a join is taken
// back whole, so that a retry counts it once, and a leave takes both
// counts down whatever either one answers.
func TestCountFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("the room's count fails: the join is taken back", func(t *testing.T) {
		db := newFakeDB(10, "c1=")
		st := New(db, "rooms", registry.New(db, "connections"))
		db.failUpdate = "rooms ADD #m :d SET #e = :e"
		if _, err := st.Join(ctx, member("lobby", "c1=")); !errors.Is(err, errUpdate) {
			t.Fatalf("join = %v, want the update's error", err)
		}
		if len(db.members["lobby"]) != 0 || db.count["c1="] != 0 {
			t.Fatalf("after a failed join: rows %v, roomCount %d; want none and 0", db.members["lobby"], db.count["c1="])
		}
		db.failUpdate = ""
		if got, err := st.Join(ctx, member("lobby", "c1=")); got != 1 || err != nil || db.count["c1="] != 1 {
			t.Errorf("the retry = %d, %v, roomCount %d; want 1 member, counted once", got, err, db.count["c1="])
		}
	})
	t.Run("the row fails: both counts are taken back", func(t *testing.T) {
		db := newFakeDB(10, "c1=", "c2=")
		st := New(db, "rooms", registry.New(db, "connections"))
		if _, err := st.Join(ctx, member("lobby", "c2=")); err != nil {
			t.Fatal(err)
		}
		db.failPut = errUpdate
		if _, err := st.Join(ctx, member("lobby", "c1=")); !errors.Is(err, errUpdate) {
			t.Fatalf("join = %v, want the put's error", err)
		}
		if db.size["lobby"] != 1 || db.count["c1="] != 0 {
			t.Errorf("after a failed join: lobby counts %d, roomCount %d; want 1 and 0", db.size["lobby"], db.count["c1="])
		}
	})
	t.Run("the connection's count fails: the room's still goes down", func(t *testing.T) {
		db := newFakeDB(10, "c1=", "c2=")
		st := New(db, "rooms", registry.New(db, "connections"))
		for _, id := range []string{"c1=", "c2="} {
			if _, err := st.Join(ctx, member("lobby", id)); err != nil {
				t.Fatal(err)
			}
		}
		db.failUpdate = "connections SET #n = #n - :one"
		if left, err := st.Leave(ctx, "lobby", "c1="); !left || !errors.Is(err, errUpdate) {
			t.Fatalf("leave = %v, %v; want left with the update's error", left, err)
		}
		if db.size["lobby"] != 1 {
			t.Errorf("lobby counts %d members, want 1", db.size["lobby"])
		}
	})
}

func TestRoomLimit(t *testing.T) {
	db := newFakeDB(7, "c1=", "c2=")
	st := New(db, "rooms", registry.New(db, "connections"))
	ctx := context.Background()
	if _, err := st.Join(ctx, member("r00", "c2=")); err != nil {
		t.Fatal(err)
	}
	for i := range rooms.MaxPerConnection {
		if _, err := st.Join(ctx, member(fmt.Sprintf("r%02d", i), "c1=")); err != nil {
			t.Fatalf("join %d: %v", i, err)
		}
	}
	// A refused join writes nothing, not even a count row for a room
	// nobody is in: a client sending 500 refused joins leaves no trace.
	writes := db.writes
	for i := range 3 {
		room := fmt.Sprintf("one-too-many%d", i)
		if _, err := st.Join(ctx, member(room, "c1=")); !errors.Is(err, ErrTooManyRooms) {
			t.Fatalf("join %d past the limit: err = %v, want ErrTooManyRooms", i+1, err)
		}
		if in, _ := st.IsMember(ctx, room, "c1="); in {
			t.Errorf("the refused room %s holds the connection", room)
		}
		if size, ok := db.size[room]; ok {
			t.Errorf("the refused room %s has a count row (members %d)", room, size)
		}
	}
	if db.writes != writes {
		t.Errorf("3 refused joins made %d writes, want none", db.writes-writes)
	}
	if members, err := st.Join(ctx, member("r00", "c1=")); members != 2 || err != nil {
		t.Errorf("joining a room it is in at the limit = %v, %v; want the room's 2 members, no error", members, err)
	}
	if db.writes != writes || db.count["c1="] != rooms.MaxPerConnection || db.size["r00"] != 2 {
		t.Errorf("joining again at the limit: %d writes, roomCount %d, r00 counts %d; want none, %d, 2",
			db.writes-writes, db.count["c1="], db.size["r00"], rooms.MaxPerConnection)
	}
	if _, err := st.Leave(ctx, "r00", "c1="); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Join(ctx, member("one-too-many0", "c1=")); err != nil {
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
			// The room's count row, which Members must leave out.
			db.size["lobby"] = tt.members
			var want []string
			for i := range tt.members {
				id := fmt.Sprintf("m%03d=", i)
				want = append(want, id)
				db.members["lobby"] = append(db.members["lobby"], id)
			}
			st := New(db, "rooms", registry.New(db, "connections"))
			var got []string
			pages := 0
			err := st.Members(context.Background(), "lobby", func(ids []string) error { pages++; got = append(got, ids...); return nil })
			if err != nil || pages != tt.wantPages || !slices.Equal(got, want) {
				t.Errorf("Members = %d pages %v, %v; want %d pages of %v", pages, got, err, tt.wantPages, want)
			}
		})
	}
	boom := errors.New("stop")
	db := newFakeDB(1)
	db.members["lobby"] = []string{"a=", "b="}
	if err := New(db, "rooms", registry.New(db, "connections")).Members(context.Background(), "lobby", func([]string) error { return boom }); !errors.Is(err, boom) || db.queries != 1 {
		t.Errorf("a page's error: %v after %d queries, want it returned after 1", err, db.queries)
	}
}

// A leave, $disconnect or 410 that lands while a join is under way, after
// its row is written, comes out the same as if it came after the join.
func TestARemovalRacingAJoin(t *testing.T) {
	ctx := context.Background()
	db := newFakeDB(10, "c1=")
	st := New(db, "rooms", registry.New(db, "connections"))
	// Into an empty room, where a count that refuses to go below zero
	// would drop the removal's -1 and keep the join's +1.
	db.afterPut = func() {
		if err := st.Forget(ctx, "c1="); err != nil {
			t.Error(err)
		}
	}
	if got, err := st.Join(ctx, member("lobby", "c1=")); got != 1 || err != nil {
		t.Fatalf("join = %d, %v; want 1, the caller, and no error", got, err)
	}
	if db.size["lobby"] != 0 || len(db.members["lobby"]) != 0 {
		t.Errorf("lobby counts %d members and holds %v, want none", db.size["lobby"], db.members["lobby"])
	}
}

// A join moves the count row's expiry on to registry.RowLifetime from the join, so
// that it outlives every member's row, whenever the joiner connected.
func TestCountRowOutlivesItsMembers(t *testing.T) {
	ctx := context.Background()
	db := newFakeDB(10, "young=", "old=")
	st := New(db, "rooms", registry.New(db, "connections"))
	now := connectedAt.Add(time.Hour)
	st.now = func() time.Time { return now }
	if _, err := st.Join(ctx, Member{Room: "lobby", ConnectionID: "young=", Principal: "taro", ConnectedAt: now}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	// Connected 1 h 50 min ago: its row expires in 20 minutes.
	if _, err := st.Join(ctx, Member{Room: "lobby", ConnectionID: "old=", Principal: "hanako", ConnectedAt: now.Add(-110 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if got, want := db.expires["lobby"], now.Add(registry.RowLifetime).Unix(); got != want {
		t.Errorf("count row expires at %d, want %d: registry.RowLifetime after the last join", got, want)
	}
}

// Rows from before rooms were counted take nothing off a count, which then
// never reads below the caller itself.
func TestRowsFromBeforeCounting(t *testing.T) {
	ctx := context.Background()
	db := newFakeDB(10, "c1=", "old=")
	db.members["lobby"] = []string{"old="} // written without "counted"
	st := New(db, "rooms", registry.New(db, "connections"))
	if got, err := st.Join(ctx, member("lobby", "old=")); got != 1 || err != nil {
		t.Errorf("an uncounted member joining again = %d, %v; want 1, itself", got, err)
	}
	if got, err := st.Join(ctx, member("lobby", "c1=")); got != 1 || err != nil {
		t.Fatalf("join = %d, %v; want 1: counting starts with it", got, err)
	}
	if left, err := st.Leave(ctx, "lobby", "old="); !left || err != nil {
		t.Fatalf("leave = %v, %v", left, err)
	}
	if db.size["lobby"] != 1 {
		t.Errorf("lobby counts %d after an uncounted member left, want 1", db.size["lobby"])
	}
}
