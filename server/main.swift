print("gsp-server: under construction")
