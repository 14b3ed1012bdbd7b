// A real OpenID Connect provider (panva/oidc-provider) for the single sign-on tests, on
// loopback only. Its development login form accepts any login; the login typed becomes the
// subject and, when it is an e-mail address, the verified `email` claim.
//   OIDC_PORT=... OIDC_REDIRECT_URI=... OIDC_CLIENT_ID=... OIDC_CLIENT_SECRET=... node provider.mjs
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;

const configuration = {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const isEmail = id.includes("@");
        return {
          sub: id,
          email: isEmail ? id : undefined,
          email_verified: isEmail,
          name: isEmail ? id.split("@")[0].replace(/\./g, " ") : id,
        };
      },
    };
  },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["consortia-test-only-cookie-key"] },
  ttl: { Session: 600, Interaction: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
};

const provider = new Provider(issuer, configuration);
const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
