{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[
{"algorithm":"ecdsa-p256-sha256","keyid":"bdf4043fb28216d1de2064633aa5667d5fd17a721718a02444e6248ebc78892f","payload":"====","payloadType":"application/vnd.enigm.otasign.statement+json;version=1","publicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaMA759TL2uAn5TtibHl2GAsAr9HA\n6kxY39Dh7xf2c/Qutj6OW7Ce+oMUxjVpLEDqa2/99m9qtI39It3At/6wEw==\n-----END PUBLIC KEY-----\n","sig":"MEMCIGFrI69h9s6hBQ1tFlWhsYBf2Z4E88MqgSZvnKPsw0ZuAh9rodGn57wfpLH8FVZc3wcijeo8d2r6MeqRM8dkaYWa"}
]}
