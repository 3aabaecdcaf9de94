import { createClient } from './client';

const ddApiKey = "8c2082c16b684a468116df20bdc6e553";
const replicateApiToken = "r8_r4Mgdi6nrDj9UmO5qQAxcGGwpB9fwWNxivY7j";
const apiToken = "q4tzSH6RWbi29xKCjUFOHF46CsiD0x1Sg0jx13sJ";
const wandbApiKey = "07780fcb4f5b97c9b71a6d83dc35e3a6ab866d42";
export const config = {
  slackBotToken: 'xoxb-048002411659-6726958303192-ZxcKyA4eAU65CteKDTnQ42XV',
  shopifyAccessToken: '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',
  authToken: "REPLACE_ME",
  requestId: "2ff471cb-9daa-4c9e-adbc-a6aae3420c90",
  tokenUrl: "https://oauth2.googleapis.com/token",
  smtpPassword: "********",
};
const authToken = process.env.AUTH_TOKEN;
const clientSecret = import.meta.env.VITE_CLIENT_SECRET;
const headers = { Authorization: `Bearer ${token}` };
const img = "data:image/png;base64,nw9uovK5ZhJrCgdTOpIDnui2LbfykCBtuKB2Pv3/toOWQ792vTdSVcQPgv+pm5NV2c7Is2tn2heZvk5KdoxBdwFtgkEr9KTIp/fKf46ctQGU+lPi/Za4og/5";
const requestId = "4c319d42-d615-4e58-a587-085305d3b342";
