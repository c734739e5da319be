{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[
{"algorithm":"ecdsa-p256-sha256","keyid":"56564f5f0246a898b860cf25dbb24f420aa59dbcf4c130b5d1655d4d13af0a7e","payload":"====","payloadType":"application/vnd.enigm.otasign.statement+json;version=1","publicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEvFObd85TWX8B57BSrhn+S3FP21aQ\n4v10r02Kb/uD7sWxwoFRQph4tg5l8F3B7a1+R1ulHiCz1qbgQIjPty1R6g==\n-----END PUBLIC KEY-----\n","sig":"MEUCIFKlY92y/i7pe6BXIbJRnw3XP443WWqqFzdy+3FXbrPsAiEAixYTosP0X68mkGSpC/McO36pe+0kx3kunZPVKyI/oGk="}
]}
