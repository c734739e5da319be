{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[
{"algorithm":"ecdsa-p256-sha256","keyid":"8fec90ca99283bca8d02fda6550c137c4c1766d081d377daee13a15d73e0f1eb","payload":"====","payloadType":"application/vnd.enigm.otasign.statement+json;version=1","publicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEIZsX6GikmfsZ9MaYqdhhJwOuVF34\n/vaMNAaGGPEkqMewzp7XO7iIxVty2jd65AevR2k1lod1VoAhQZbKwHkbTA==\n-----END PUBLIC KEY-----\n","sig":"MEQCIASBAoC2LSyTCEN8TNDDJJ3DL+lZ7TqvCZ6qEl8Dh/rnAiBOx4C5toU5bpGzi/9mn4vMeGGT6TVbbB9ggbTPM2vjDQ=="}
]}
