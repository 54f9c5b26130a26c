package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"
)

// BenchmarkRoomBroadcast measures one broadcast to a room of 10,000 idle
// members, end to end: from the sender's frame until the last member has
// it, over five broadcasts (the median and the slowest). Above 100 members,
// broadcast hands the audience to the fan-out queue in jobs of 1,000 and
// the fanout worker posts them. It runs as is on loopback and with every
// @connections call delayed by 20 ms, standing in for the network between
// Lambda and API Gateway; with the delay, the same room is also posted to
// one by one, each post waiting for the last, as the tutorial's sample
// does, through the AWS SDK's PostToConnection. Every member must get each
// message exactly once.
func BenchmarkRoomBroadcast(b *testing.B) {
	const members, rounds = 10_000, 5
	for _, delay := range []time.Duration{0, 20 * time.Millisecond} {
		// Filling the room takes over a minute: the first member must not
		// be closed as idle before the last has joined.
		g := startGateway(b, "-quiet", "-management-delay", delay.String(), "-idle-timeout", "2h")
		filling := time.Now()
		frames := joinMany(b, g, "arena", members)
		filled := time.Since(filling)
		sender := g.dial(b, "sender", "")
		senderID := connID(b, sender)
		join(b, sender, "arena", members+1)
		var fanOut time.Duration
		b.Run(fmt.Sprintf("delay=%v/fan-out", delay), func(b *testing.B) {
			for range b.N {
				before := cpuOf(b, g.cmd.Process.Pid)
				d := make([]time.Duration, 0, rounds)
				for i := range rounds {
					d = append(d, broadcastOnce(b, sender, frames, members, fmt.Sprintf("round %d", i)))
				}
				after := cpuOf(b, g.cmd.Process.Pid)
				slices.Sort(d)
				fanOut = d[rounds/2]
				b.ReportMetric(float64(fanOut.Milliseconds()), "p50-ms/broadcast")
				b.ReportMetric(float64(d[rounds-1].Milliseconds()), "slowest-ms/broadcast")
				perDelivery := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(rounds*members) }
				b.ReportMetric(perDelivery(after.gateway-before.gateway), "gateway-cpu-µs/delivery")
				b.ReportMetric(perDelivery(after.functions-before.functions), "functions-cpu-µs/delivery")
				b.ReportMetric(filled.Seconds(), "s-to-fill-the-room")
			}
		})
		if delay > 0 {
			b.Run(fmt.Sprintf("delay=%v/one-by-one", delay), func(b *testing.B) {
				ids := roomMembers(b, g, "arena", senderID)
				for range b.N {
					d := postOneByOne(b, g, ids, frames)
					b.ReportMetric(float64(d.Milliseconds()), "ms/broadcast")
					if fanOut > 0 { // the fan-out sub-benchmark ran
						b.ReportMetric(float64(d)/float64(fanOut), "x-slower-than-fan-out")
					}
				}
			})
		}
		g.stop()
	}
}

// broadcastOnce broadcasts text to the room and waits until each of its n
// other members has it exactly once; it returns the time from the frame
// sent to the last delivery.
func broadcastOnce(b *testing.B, sender *websocket.Conn, frames <-chan frame, n int, text string) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	if err := sender.Write(ctx, websocket.MessageText, []byte(`{"action":"broadcast","room":"arena","message":"`+text+`"}`)); err != nil {
		b.Fatal(err)
	}
	_, raw, err := sender.Read(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var receipt struct {
		MessageID  string
		Recipients int
	}
	if err := json.Unmarshal(raw, &receipt); err != nil || receipt.Recipients != n {
		b.Fatalf("receipt %s, want %d recipients", raw, n)
	}
	_, last := awaitEachOnce(b, frames, n, 5*time.Minute, withMessageID(receipt.MessageID))
	return last.Sub(start)
}

// roomMembers reads room's member connection ids from the rooms table, as
// the functions do, leaving out but.
func roomMembers(b *testing.B, g *gatewayProc, room, but string) []string {
	var ids []string
	p := dynamodb.NewQueryPaginator(g.db(b), &dynamodb.QueryInput{
		TableName:              aws.String(roomsTable),
		KeyConditionExpression: aws.String("room = :r AND connectionId > :count"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":r": &types.AttributeValueMemberS{Value: room}, ":count": &types.AttributeValueMemberS{Value: "#"},
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		for _, item := range page.Items {
			if id := item["connectionId"].(*types.AttributeValueMemberS).Value; id != but {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// postOneByOne posts a message to each id in turn through the AWS SDK, as
// the banner's credentials allow, each post waiting for the last, and
// returns the time from the first post to the last delivery.
func postOneByOne(b *testing.B, g *gatewayProc, ids []string, frames <-chan frame) time.Duration {
	m := cliLine.FindStringSubmatch(g.output())
	if m == nil {
		b.Fatalf("the banner shows no AWS CLI call to @connections:\n%s", g.output())
	}
	client := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region: m[3], BaseEndpoint: aws.String(m[4]), Credentials: credentials.NewStaticCredentialsProvider(m[1], m[2], ""),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	frame := []byte(`{"room":"arena","from":"sender","message":"one by one","messageId":"one-by-one"}`)
	start := time.Now()
	for _, id := range ids {
		if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: frame}); err != nil {
			b.Fatalf("post to %s: %v", id, err)
		}
	}
	_, last := awaitEachOnce(b, frames, len(ids), 10*time.Minute, withMessageID("one-by-one"))
	return last.Sub(start)
}
