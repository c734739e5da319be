{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[
{"algorithm":"ecdsa-p256-sha256","keyid":"470fe39538771f66abac2ec40da55db8492eaf845419bb920495be4ffc274dd6","payload":"====","payloadType":"application/vnd.enigm.otasign.statement+json;version=1","publicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETlTYyEGhYFwtkammnAAuYuKRsOWP\nca/oI+6bHLkkNJc0NeirSTxQ5McZqTKKZYcwfp93QDqurA/NOcYlACUWdA==\n-----END PUBLIC KEY-----\n","sig":"MEUCICNe2EmyjW1zCrmKCZak5UOildMWhCLJp2OXPmNSrv+dAiEAii0Cb92uNmqr6R7A+9JF7LkBVUPVCs07uQAe0ceqo3w="}
]}
