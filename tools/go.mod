module wsapi/tools

go 1.26

require wsapi/authorizer v0.0.0

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
	wsapi/shared v0.0.0 // indirect
)

replace (
	wsapi/authorizer => ../authorizer
	wsapi/shared => ../shared
)
