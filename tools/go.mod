module wsapi/tools

go 1.26

require (
	github.com/coder/websocket v1.8.15
	gopkg.in/yaml.v3 v3.0.1
	wsapi/authorizer v0.0.0
)

require (
	github.com/aws/aws-lambda-go v1.55.1 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	wsapi/shared v0.0.0 // indirect
)

replace (
	wsapi/authorizer => ../authorizer
	wsapi/shared => ../shared
)
