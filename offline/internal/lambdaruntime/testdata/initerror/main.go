// Command initerror is a test function that reports an init failure through
// the Runtime API, as custom runtimes do, and then waits to be killed.
package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	body := `{"errorMessage":"cannot load configuration","errorType":"Runtime.ConfigError"}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		os.Exit(1)
	}
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
	fmt.Println("initerror: reporting an init error")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "initerror:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	time.Sleep(time.Hour) // Lambda kills an environment whose init failed
}
