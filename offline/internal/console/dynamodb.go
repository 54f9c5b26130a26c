package console

import "wsapi/offline/internal/dynamolocal"

// Tables shows what the local DynamoDB made of the template's tables.
func Tables(out *Console, report dynamolocal.Report) {
	for _, line := range report.Tables {
		out.Printf("dynamodb", "%s", line)
	}
	out.Warn(report.Warnings...)
}

// DynamoDBStopped says loudly that the local DynamoDB died while the
// gateway serves, and what that means.
func DynamoDBStopped(out *Console, err error) {
	out.Printf("error", "the local DynamoDB stopped: %v", err)
	out.Printf("error", "every DynamoDB call of the functions fails from now on: stop the gateway (Ctrl-C) and start it again")
}
