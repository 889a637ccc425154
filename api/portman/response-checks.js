// After every request of the run: what any answer of the API must be, whatever was sent.
// Prism sits between newman and the app (validating proxy, --errors): it reports what differs from the document in the
// sl-violations header, and turns a response that breaks its schema into its own 500.
pm.test("[contract] no 5xx", function () {
    pm.expect(pm.response.code, pm.response.text().substring(0, 2000)).to.be.below(500);
});
pm.test("[contract] status, content type and body as documented (prism)", function () {
    var header = pm.response.headers.get("sl-violations");
    var violations = header ? JSON.parse(header).filter(function (v) { return v.location && v.location[0] === "response"; }) : [];
    pm.expect(violations.map(function (v) { return v.location.join(".") + ": " + v.message; })).to.eql([]);
});
pm.test("[contract] answered by the app, not by prism", function () {
    // Prism answers some requests itself (a credential missing where the document asks for one, a path it does not
    // know): such an answer proves nothing about the app.
    pm.expect(pm.response.text()).to.not.include("stoplight.io/prism/errors");
});
