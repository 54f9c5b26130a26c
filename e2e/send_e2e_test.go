package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"

	"wsapi/authorizer/token"
	"wsapi/offline/testkit"
)

// These tests run the registry and the send route end to end: the real
// authorizer, onconnect, ondisconnect and send against dynalite, started by
// the gateway from serverless.yml's resources.

const table = "go-websocket-api-local-connections"

var dynamoLine = regexp.MustCompile(`DynamoDB API \(dynalite\) at (http://\S+)`)

// db is a client of the gateway's local DynamoDB.
func (g *gatewayProc) db(t testing.TB) *dynamodb.Client {
	t.Helper()
	m := dynamoLine.FindStringSubmatch(g.output())
	if m == nil {
		t.Fatalf("the gateway did not say where its DynamoDB is:\n%s", g.output())
	}
	return dynamodb.New(dynamodb.Options{
		Region:       "ap-northeast-1",
		BaseEndpoint: aws.String(m[1]),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// rowsOf returns the registry's rows of users: connection id -> user. The
// rows of a test's own users (uniqueName) are the test's.
func rowsOf(t testing.TB, db *dynamodb.Client, users ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			if user := item["userName"].(*types.AttributeValueMemberS).Value; slices.Contains(users, user) {
				out[item["connectionId"].(*types.AttributeValueMemberS).Value] = user
			}
		}
	}
	return out
}

// delivered checks a delivery frame and returns its fields.
func delivered(t testing.TB, frame string) (from, message string) {
	t.Helper()
	var d struct{ From, Message, SentAt string }
	if err := json.Unmarshal([]byte(frame), &d); err != nil {
		t.Fatalf("delivery %s: %v", frame, err)
	}
	if _, err := time.Parse(time.RFC3339, d.SentAt); err != nil {
		t.Errorf("sentAt %q is not RFC 3339", d.SentAt)
	}
	return d.From, d.Message
}

func TestSendReachesEveryConnectionOfOneUser(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	taro, hanako, jiro := uniqueName("taro"), uniqueName("hanako"), uniqueName("jiro")
	phone, laptop := g.dial(t, taro, ""), g.dial(t, taro, "")
	sender, bystander := g.dial(t, hanako, ""), g.dial(t, jiro, "")
	ids := map[string]string{connID(t, phone): taro, connID(t, laptop): taro, connID(t, sender): hanako, connID(t, bystander): jiro}
	if got := rowsOf(t, g.db(t), taro, hanako, jiro); fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("registry = %v, want %v", got, ids)
	}

	// hanako claims to be taro in the body: she is still sent as herself.
	if got, want := send(t, sender, fmt.Sprintf(`{"action":"send","to":%q,"message":"こんにちは","from":%[1]q}`, taro)),
		fmt.Sprintf(`{"action":"send","to":%q,"delivered":2,"failed":0}`, taro); got != want {
		t.Errorf("receipt = %s, want %s", got, want)
	}
	for name, c := range map[string]*websocket.Conn{"phone": phone, "laptop": laptop} {
		if from, msg := delivered(t, read(t, c)); from != hanako || msg != "こんにちは" {
			t.Errorf("taro's %s got from %q %q, want from %s", name, from, msg, hanako)
		}
	}
	// Nobody else got anything: jiro's next frame answers his own message.
	if got := send(t, bystander, `{"action":"hello","userName":"jiro"}`); got != `{"message":"hello, jiro!"}` {
		t.Errorf("jiro got %s, a frame meant for someone else", got)
	}

	saburo := uniqueName("saburo")
	if got, want := send(t, bystander, fmt.Sprintf(`{"action":"send","to":%q,"message":"hi"}`, saburo)),
		fmt.Sprintf(`{"error":"not_connected","message":"%s is not connected"}`, saburo); got != want {
		t.Errorf("send to nobody: %s, want %s", got, want)
	}
	bad := map[string]string{
		`{"action":"send","message":"hi"}`:                                `{"error":"missing_field","message":"to is required"}`,
		fmt.Sprintf(`{"action":"send","to":%q}`, taro):                    `{"error":"missing_field","message":"message is required"}`,
		fmt.Sprintf(`{"action":"send","to":%q,"message":""}`, taro):       `{"error":"invalid_field","message":"message must not be empty"}`,
		fmt.Sprintf(`{"action":"send","to":%q,"message":42}`, taro):       `{"error":"invalid_field","message":"message must be a string"}`,
		fmt.Sprintf(`{"action":"send","to":"\n%s","message":"hi"}`, taro): `{"error":"invalid_field","message":"to must not contain control characters"}`,
	}
	for msg, want := range bad {
		if got := send(t, bystander, msg); got != want {
			t.Errorf("%s\n got %s\nwant %s", msg, got, want)
		}
	}
}

func TestStaleRowIsRemovedOn410(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	db := g.db(t)
	taro := uniqueName("taro")
	receiver := g.dial(t, taro, "")
	live := connID(t, receiver)
	// A row that a lost $disconnect left behind, under an id of the shape
	// of a live one that no connection has.
	stale := "Gone" + live[4:]
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"connectionId": &types.AttributeValueMemberS{Value: stale},
			"userName":     &types.AttributeValueMemberS{Value: taro},
			"expiresAt":    &types.AttributeValueMemberN{Value: fmt.Sprint(time.Now().Add(time.Hour).Unix())},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sender := g.dial(t, uniqueName("hanako"), "")
	if got, want := send(t, sender, fmt.Sprintf(`{"action":"send","to":%q,"message":"hi"}`, taro)),
		fmt.Sprintf(`{"action":"send","to":%q,"delivered":1,"failed":0}`, taro); got != want {
		t.Errorf("receipt = %s, want %s: one delivered, the stale one not counted", got, want)
	}
	delivered(t, read(t, receiver))
	if got, want := rowsOf(t, db, taro), map[string]string{live: taro}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("registry = %v, want %v: the stale row %s gone, the live one kept", got, want, stale)
	}
}

func TestConnectDisconnectStorm(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	db := g.db(t)
	const n = 40
	users := make([]string, 7)
	for i := range users {
		users[i] = uniqueName("storm")
	}
	conns := make([]*websocket.Conn, n)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conns[i] = g.dial(t, users[i%len(users)], "")
		}()
	}
	wg.Wait()
	if got := len(rowsOf(t, db, users...)); got != n {
		t.Fatalf("%d rows after %d connections", got, n)
	}
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				c.Close(websocket.StatusNormalClosure, "bye")
			} else {
				c.CloseNow() // gone without a close frame
			}
		}()
	}
	wg.Wait()
	// Every row was written before its handshake ended: from here the rows
	// of these users only go, each when its $disconnect has run.
	testkit.Eventually(t, 15*time.Second, func() (bool, string) {
		left := rowsOf(t, db, users...)
		return len(left) == 0, fmt.Sprintf("%d orphan rows after every connection closed: %v", len(left), left)
	})
}

func TestAuthorizerRejections(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	user := uniqueName("taro")
	other, _ := token.Sign([]byte("another-secret-that-is-32-bytes-long"), user, time.Hour, time.Now())
	expired, _ := token.Sign([]byte(testSecret), user, time.Hour, time.Now().Add(-2*time.Hour))
	b64 := base64.RawURLEncoding.EncodeToString
	none := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(fmt.Sprintf(`{"sub":%q,"exp":%d}`, user, time.Now().Add(time.Hour).Unix()))) + "."
	tests := []struct {
		name, query string
		status      int
	}{
		{"no token", "", 401},
		{"empty token", "?token=", 401},
		{"not a JWT", "?token=hello", 403},
		{"signed with another secret", "?token=" + other, 403},
		{"expired", "?token=" + expired, 403},
		{"alg none", "?token=" + none, 403},
		{"a claimed user without a token", "?user=" + user, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, resp, err := websocket.Dial(ctx, g.url+tt.query, nil)
			if err == nil || resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("handshake: %v %v, want refused with %d", err, resp, tt.status)
			}
		})
	}
	// A refused handshake's row would be under the token's user, or under
	// the principal the authorizer denies, which no open connection has.
	if got := rowsOf(t, g.db(t), user, "anonymous"); len(got) != 0 {
		t.Errorf("refused handshakes left rows: %v", got)
	}
	// That the authorizer does not run for the handshakes without a token
	// TestLogsAndTraces checks, on a gateway of its own: the shared one's
	// count of invocations is every test's.
}
