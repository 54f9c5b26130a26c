// Package identity reads who a connection is: the principal the $connect
// authorizer verified, which API Gateway hands to every later event of the
// connection. Nothing a client writes in a message body is ever an identity.
package identity

import "github.com/aws/aws-lambda-go/events"

// User returns the verified user of the connection an event came from, or
// "" when the connection has none (no authorizer on $connect).
func User(rc events.APIGatewayWebsocketProxyRequestContext) string {
	m, _ := rc.Authorizer.(map[string]any)
	user, _ := m["principalId"].(string)
	return user
}
