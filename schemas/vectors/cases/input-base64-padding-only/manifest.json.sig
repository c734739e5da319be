{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[
{"algorithm":"ecdsa-p256-sha256","keyid":"b8aed7d82f8684d67bdd7206e569fd440127d8105a7d23edcba7e7269ef8018c","payload":"====","payloadType":"application/vnd.enigm.otasign.statement+json;version=1","publicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEM0M25/j3SJfZw/GAHV/NiLiOPnhw\nr6zWZE6APqH5clwoSDLAR0/e7wkpKqRx4vW8isT2ZXIULZK31YcS4qDRvA==\n-----END PUBLIC KEY-----\n","sig":"MEUCIHspznT3uo6qTb6ppiZiTyGj1o62iHUOry80YoF18/Z4AiEA9zbcyKL9iT4woZvpBbQB2PdId8sCPcVyBtJFAVwhcrI="}
]}
