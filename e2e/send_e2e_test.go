package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"

	"wsapi/authorizer/token"
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

// rows returns the registry's rows: connection id -> user.
func rows(t testing.TB, db *dynamodb.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			id := item["connectionId"].(*types.AttributeValueMemberS).Value
			out[id] = item["userName"].(*types.AttributeValueMemberS).Value
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
	g := startGateway(t)
	phone, laptop := g.dial(t, "taro", ""), g.dial(t, "taro", "")
	hanako := g.dial(t, "hanako", "")
	jiro := g.dial(t, "jiro", "")
	ids := map[string]string{connID(t, phone): "taro", connID(t, laptop): "taro", connID(t, hanako): "hanako", connID(t, jiro): "jiro"}
	if got := rows(t, g.db(t)); fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("registry = %v, want %v", got, ids)
	}

	// hanako claims to be taro in the body: she is still sent as herself.
	if got := send(t, hanako, `{"action":"send","to":"taro","message":"こんにちは","from":"taro"}`); got != `{"action":"send","to":"taro","delivered":2,"failed":0}` {
		t.Errorf("receipt = %s", got)
	}
	for name, c := range map[string]*websocket.Conn{"phone": phone, "laptop": laptop} {
		if from, msg := delivered(t, read(t, c)); from != "hanako" || msg != "こんにちは" {
			t.Errorf("taro's %s got from %q %q, want from hanako", name, from, msg)
		}
	}
	// Nobody else got anything: jiro's next frame answers his own message.
	if got := send(t, jiro, `{"action":"hello","userName":"jiro"}`); got != `{"message":"hello, jiro!"}` {
		t.Errorf("jiro got %s, a frame meant for someone else", got)
	}

	if got := send(t, jiro, `{"action":"send","to":"saburo","message":"hi"}`); got != `{"error":"not_connected","message":"saburo is not connected"}` {
		t.Errorf("send to nobody: %s", got)
	}
	bad := map[string]string{
		`{"action":"send","message":"hi"}`:               `{"error":"missing_field","message":"to is required"}`,
		`{"action":"send","to":"taro"}`:                  `{"error":"missing_field","message":"message is required"}`,
		`{"action":"send","to":"taro","message":""}`:     `{"error":"invalid_field","message":"message must not be empty"}`,
		`{"action":"send","to":"taro","message":42}`:     `{"error":"invalid_field","message":"message must be a string"}`,
		`{"action":"send","to":"ta\nro","message":"hi"}`: `{"error":"invalid_field","message":"to must not contain control characters"}`,
	}
	for msg, want := range bad {
		if got := send(t, jiro, msg); got != want {
			t.Errorf("%s\n got %s\nwant %s", msg, got, want)
		}
	}
}

func TestStaleRowIsRemovedOn410(t *testing.T) {
	t.Parallel()
	g := startGateway(t)
	db := g.db(t)
	taro := g.dial(t, "taro", "")
	live := connID(t, taro)
	// A row that a lost $disconnect left behind.
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"connectionId": &types.AttributeValueMemberS{Value: "GoneGoneGone00="},
			"userName":     &types.AttributeValueMemberS{Value: "taro"},
			"expiresAt":    &types.AttributeValueMemberN{Value: fmt.Sprint(time.Now().Add(time.Hour).Unix())},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	hanako := g.dial(t, "hanako", "")
	if got := send(t, hanako, `{"action":"send","to":"taro","message":"hi"}`); got != `{"action":"send","to":"taro","delivered":1,"failed":0}` {
		t.Errorf("receipt = %s, want one delivered, the stale one not counted", got)
	}
	delivered(t, read(t, taro))
	got := rows(t, db)
	if _, ok := got["GoneGoneGone00="]; ok || got[live] != "taro" {
		t.Errorf("registry = %v, want the stale row gone and %s kept", got, live)
	}
}

func TestConnectDisconnectStorm(t *testing.T) {
	t.Parallel()
	g := startGateway(t)
	db := g.db(t)
	const n = 40
	conns := make([]*websocket.Conn, n)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conns[i] = g.dial(t, fmt.Sprintf("user%d", i%7), "")
		}()
	}
	wg.Wait()
	if got := len(rows(t, db)); got != n {
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
	g.waitOutput(t, `ondisconnect +│ END RequestId`, n)
	if got := rows(t, db); len(got) != 0 {
		t.Errorf("%d orphan rows after every connection closed: %v", len(got), got)
	}
}

func TestAuthorizerRejections(t *testing.T) {
	t.Parallel()
	g := startGateway(t)
	other, _ := token.Sign([]byte("another-secret-that-is-32-bytes-long"), "taro", time.Hour, time.Now())
	expired, _ := token.Sign([]byte(testSecret), "taro", time.Hour, time.Now().Add(-2*time.Hour))
	b64 := base64.RawURLEncoding.EncodeToString
	none := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(fmt.Sprintf(`{"sub":"taro","exp":%d}`, time.Now().Add(time.Hour).Unix()))) + "."
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
		{"a claimed user without a token", "?user=taro", 401},
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
	if got := rows(t, g.db(t)); len(got) != 0 {
		t.Errorf("refused handshakes left rows: %v", got)
	}
	// API Gateway answers a missing identity source itself.
	if n := strings.Count(g.output(), "authorizer   │ START"); n != 4 {
		t.Errorf("the authorizer ran %d times, want 4 (not for the 3 handshakes without a token)", n)
	}
}
