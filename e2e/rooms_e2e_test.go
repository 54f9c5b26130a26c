package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"

	"wsapi/authorizer/token"
	"wsapi/offline/testkit"
)

// These tests run the rooms routes end to end: join, leave, broadcast and
// ondisconnect against the rooms table in dynalite. A room here stays under
// broadcast's threshold, so no post goes through the fan-out queue.

const roomsTable = "go-websocket-api-local-rooms"

// membersOf reads a room's member rows the way the functions do: Query on
// its key, after the room's count row (sort key "#").
func membersOf(t testing.TB, db *dynamodb.Client, room string) int {
	t.Helper()
	out, err := db.Query(context.Background(), &dynamodb.QueryInput{
		TableName:              aws.String(roomsTable),
		KeyConditionExpression: aws.String("room = :r AND connectionId > :count"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":r": &types.AttributeValueMemberS{Value: room}, ":count": &types.AttributeValueMemberS{Value: "#"},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Items)
}

// countOf reads the members a room's count row holds.
func countOf(t testing.TB, db *dynamodb.Client, room string) string {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(roomsTable), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"room": &types.AttributeValueMemberS{Value: room}, "connectionId": &types.AttributeValueMemberS{Value: "#"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := out.Item["members"].(*types.AttributeValueMemberN)
	if n == nil {
		return "none"
	}
	return n.Value
}

func TestRoomsEndToEnd(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	taro, hanako := g.dial(t, "taro", ""), g.dial(t, "hanako", "")
	onlyLobby, err := token.SignGrant([]byte(testSecret), token.Grant{User: "jiro", Rooms: []string{"lobby"}}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jiro := dial(t, g.url+"?token="+onlyLobby)
	// saburo is in another room: nothing said in the lobby reaches him.
	saburo := g.dial(t, "saburo", "")
	if got := send(t, saburo, `{"action":"join","room":"ops"}`); got != `{"action":"join","room":"ops","members":1}` {
		t.Fatalf("saburo's join: %s", got)
	}

	steps := []struct {
		who        *websocket.Conn
		msg, reply string
	}{
		{taro, `{"action":"join","room":"lobby"}`, `{"action":"join","room":"lobby","members":1}`},
		{hanako, `{"action":"join","room":"lobby"}`, `{"action":"join","room":"lobby","members":2}`},
		{jiro, `{"action":"join","room":"ops"}`, `{"error":"forbidden_room","message":"your token does not allow room ops"}`},
		{jiro, `{"action":"join","room":"lobby"}`, `{"action":"join","room":"lobby","members":3}`},
		{jiro, `{"action":"join","room":"lobby"}`, `{"action":"join","room":"lobby","members":3}`},
		{hanako, `{"action":"broadcast","room":"ops","message":"x"}`, `{"error":"not_a_member","message":"join room ops before broadcasting to it"}`},
		{taro, `{"action":"leave","room":"ops"}`, `{"error":"not_a_member","message":"you are not in room ops"}`},
	}
	for _, s := range steps {
		if got := send(t, s.who, s.msg); got != s.reply {
			t.Errorf("%s\n got %s\nwant %s", s.msg, got, s.reply)
		}
	}

	var receipt struct {
		Action, Room, MessageID string
		Recipients              int
	}
	if err := json.Unmarshal([]byte(send(t, jiro, `{"action":"broadcast","room":"lobby","message":"hi all"}`)), &receipt); err != nil ||
		receipt.Action != "broadcast" || receipt.Room != "lobby" || receipt.Recipients != 2 || receipt.MessageID == "" {
		t.Fatalf("receipt %+v, %v; want 2 recipients and a messageId", receipt, err)
	}
	for name, c := range map[string]*websocket.Conn{"taro": taro, "hanako": hanako} {
		var d struct{ Room, From, Message, SentAt, MessageID string }
		if err := json.Unmarshal([]byte(read(t, c)), &d); err != nil || d.Room != "lobby" || d.From != "jiro" || d.Message != "hi all" || d.MessageID != receipt.MessageID {
			t.Errorf("%s got %+v, %v; want jiro's message with the receipt's messageId", name, d, err)
		}
	}
	// The broadcast's posts all went out before the members had theirs:
	// saburo's next frame is the answer to what he sends after them.
	if got := send(t, saburo, `{"action":"hello","userName":"saburo"}`); got != `{"message":"hello, saburo!"}` {
		t.Errorf("saburo, not in the lobby, got %s before his own answer", got)
	}

	// hanako's $disconnect takes her out of the room.
	db := g.db(t)
	hanako.Close(websocket.StatusNormalClosure, "")
	// $disconnect deletes the row, then takes it off the count.
	testkit.Eventually(t, 10*time.Second, func() (bool, string) {
		n, counted := membersOf(t, db, "lobby"), countOf(t, db, "lobby")
		return n == 2 && counted == "2", fmt.Sprintf("lobby holds %d rows and counts %s members after hanako closed, want 2 and 2", n, counted)
	})
	if got := send(t, taro, `{"action":"leave","room":"lobby"}`); got != `{"action":"leave","room":"lobby"}` {
		t.Errorf("leave: %s", got)
	}
	if got := send(t, g.dial(t, "hanako", ""), `{"action":"join","room":"lobby"}`); got != `{"action":"join","room":"lobby","members":2}` {
		t.Errorf("a join after a disconnect and a leave: %s, want 2 members (jiro and the newcomer)", got)
	}

	// The room limit, counted on the connection.
	for i := range 50 {
		if got, want := send(t, taro, fmt.Sprintf(`{"action":"join","room":"r%02d"}`, i)), fmt.Sprintf(`{"action":"join","room":"r%02d","members":1}`, i); got != want {
			t.Fatalf("join %d: %s", i, got)
		}
	}
	if got := send(t, taro, `{"action":"join","room":"one-more"}`); got != `{"error":"too_many_rooms","message":"a connection may be in at most 50 rooms: leave one first"}` {
		t.Errorf("the 51st room: %s", got)
	}
}

// TestARefusedJoinWritesNothing: a client joining 550 rooms gets 50 and 500
// too_many_rooms, and the table holds rows of the 50 rooms only: the
// refused joins left no count row behind.
func TestARefusedJoinWritesNothing(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	taro := g.dial(t, "taro", "")
	const joins = 550
	refused := 0
	for i := range joins {
		room := fmt.Sprintf("junk%04d", i)
		got := send(t, taro, fmt.Sprintf(`{"action":"join","room":%q}`, room))
		switch {
		case i < 50 && got == fmt.Sprintf(`{"action":"join","room":%q,"members":1}`, room):
		case i >= 50 && got == `{"error":"too_many_rooms","message":"a connection may be in at most 50 rooms: leave one first"}`:
			refused++
		default:
			t.Fatalf("join %d: %s", i+1, got)
		}
	}
	if refused != 500 {
		t.Fatalf("%d joins refused, want 500", refused)
	}

	rows := map[string]int{}
	p := dynamodb.NewScanPaginator(g.db(t), &dynamodb.ScanInput{TableName: aws.String(roomsTable), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			rows[item["room"].(*types.AttributeValueMemberS).Value]++
		}
	}
	var left []string
	for room, n := range rows {
		// The gateway is shared: other tests' rooms are not this one's.
		if strings.HasPrefix(room, "junk") && room >= "junk0050" {
			left = append(left, fmt.Sprintf("%s (%d)", room, n))
		}
	}
	if len(left) > 0 {
		slices.Sort(left)
		t.Errorf("%d refused rooms left rows behind: %s, …", len(left), strings.Join(left[:min(3, len(left))], ", "))
	}
	// Each joined room: its member's row and its count row.
	for i := range 50 {
		if room := fmt.Sprintf("junk%04d", i); rows[room] != 2 {
			t.Errorf("%s holds %d rows, want 2", room, rows[room])
		}
	}
}

func TestRoomsBadInputGetsItsErrorAndTheConnectionStays(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	taro := g.dial(t, "taro", "")
	steps := []struct{ msg, reply string }{
		{`{"action":"join"}`, `{"error":"missing_field","message":"room is required"}`},
		{`{"action":"join","room":"lob\nby"}`, `{"error":"invalid_field","message":"room must not contain control characters"}`},
		{`{"action":"join","room":7}`, `{"error":"invalid_field","message":"room must be a string"}`},
		{`{"action":"join","room":"lobby\u200b"}`, `{"error":"invalid_field","message":"room must not contain format characters (zero-width or bidirectional controls)"}`},
		{`{"action":"join","room":"\u202eybbol"}`, `{"error":"invalid_field","message":"room must not contain format characters (zero-width or bidirectional controls)"}`},
		{`{"action":"join","room":" lobby"}`, `{"error":"invalid_field","message":"room must not begin or end with a space"}`},
		{`{"action":"join","room":"lobby","room":"other"}`, `{"error":"invalid_field","message":"room must be given once"}`},
		{`{"action":"leave"}`, `{"error":"missing_field","message":"room is required"}`},
		{`{"action":"leave","room":1}`, `{"error":"invalid_field","message":"room must be a string"}`},
		{`{"action":"broadcast","message":"hi"}`, `{"error":"missing_field","message":"room is required"}`},
		{`{"action":"join","room":"foyer"}`, `{"action":"join","room":"foyer","members":1}`},
		{`{"action":"broadcast","room":"foyer","message":""}`, `{"error":"invalid_field","message":"message must not be empty"}`},
		// After every error, the same connection is served as before.
		{`{"action":"leave","room":"foyer"}`, `{"action":"leave","room":"foyer"}`},
	}
	for _, s := range steps {
		if got := send(t, taro, s.msg); got != s.reply {
			t.Errorf("%.60s\n got %s\nwant %s", s.msg, got, s.reply)
		}
	}
}
