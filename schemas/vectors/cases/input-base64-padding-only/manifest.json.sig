{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[
{"algorithm":"ecdsa-p256-sha256","keyid":"6c70454c1c3a6a02828af12ef9117a09a9f819336e621863ae05fea75a717363","payload":"====","payloadType":"application/vnd.enigm.otasign.statement+json;version=1","publicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEed6097gIuiFCdHEjHYv7bqZCRv7G\nIL+h83v1UE3qmAUNbae0xy7avLcF40A7AWGBOkqnZaEVqRFH9OGpN3kO5w==\n-----END PUBLIC KEY-----\n","sig":"MEUCIQCjbJMU43bHOCPjAESe3fGm84sS6Q5gsqyfpmUHaS6fzAIgebzb6GIDI4TkePhm3/9bVbIDre+rgd2Hp5V58OIV7Oc="}
]}
