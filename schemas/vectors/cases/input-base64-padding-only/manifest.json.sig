{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[
{"algorithm":"ecdsa-p256-sha256","keyid":"f4dcd909e55801b81c09da2c9ca4631e84f5d706366466d361394e372bb04e31","payload":"====","payloadType":"application/vnd.enigm.otasign.statement+json;version=1","publicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEU+/26S3AI0c4b4GVaAszWZAsiqQa\nvyYH/9Y2IshQ0LfJoq/Ap/ehGiA913P1DhJel200vyhKAw36TLrlRT26ng==\n-----END PUBLIC KEY-----\n","sig":"MEQCIAcGocc2rzAdUAy2qXHNtkEj3OguIkyzDteNwNfUZ3caAiA3EVDgYSaCpJ45ntceuDsZBSsUzMBJ/iUns7BIReZ1pA=="}
]}
