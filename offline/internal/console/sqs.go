package console

import (
	"encoding/json"
	"fmt"

	"wsapi/offline/internal/sqslocal"
)

// Moved says that a message went to a dead-letter queue, naming the
// sender's own id for it when its body is a JSON object with a messageId
// (the fan-out job's is the broadcast's, the one its receipt gave the
// user): SQS's id means nothing to whoever sent the message.
func Moved(out *Console, m sqslocal.Moved) {
	var body struct {
		MessageID string `json:"messageId"`
	}
	sender := ""
	if json.Unmarshal([]byte(m.Body), &body) == nil && body.MessageID != "" {
		sender = fmt.Sprintf(" (messageId %s)", body.MessageID)
	}
	out.Printf("sqs", "message %s%s moved from %s to its dead-letter queue %s after %d receives",
		m.MessageID, sender, m.Queue, m.DeadLetterQueue, m.ReceiveCount)
}
