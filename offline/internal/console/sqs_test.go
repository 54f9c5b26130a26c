package console

import (
	"strings"
	"testing"

	"wsapi/offline/internal/sqslocal"
)

func TestMovedNamesTheSendersMessageID(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{`{"domainName":"localhost:3001","stage":"local","room":"lobby","messageId":"XDmENcnwIE0CFEQ=","frame":"e30="}`,
			"sqs          │ message 5f0c (messageId XDmENcnwIE0CFEQ=) moved from FanoutQueue to its dead-letter queue FanoutDeadLetterQueue after 5 receives\n"},
		{"poison",
			"sqs          │ message 5f0c moved from FanoutQueue to its dead-letter queue FanoutDeadLetterQueue after 5 receives\n"},
		{`{"messageId":7}`,
			"sqs          │ message 5f0c moved from FanoutQueue to its dead-letter queue FanoutDeadLetterQueue after 5 receives\n"},
	} {
		var b strings.Builder
		Moved(New(&b), sqslocal.Moved{Queue: "FanoutQueue", DeadLetterQueue: "FanoutDeadLetterQueue", MessageID: "5f0c", ReceiveCount: 5, Body: tt.body})
		if b.String() != tt.want {
			t.Errorf("body %s:\n got %q\nwant %q", tt.body, b.String(), tt.want)
		}
	}
}
