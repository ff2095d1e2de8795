print("gsp: under construction")
