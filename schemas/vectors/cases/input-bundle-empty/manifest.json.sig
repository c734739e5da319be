{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[]}
