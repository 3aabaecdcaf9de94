import { createClient } from './client';

const squareAccessToken = "EAAA0tRqxLcNtukSV8AIp4F9UsU5Z4yhrT7abIVmDqTK-fniePN2HsKRRUPZ4UJa";
const stripeSecretKey = "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";
const sendgridApiKey = "SG.Y2lYw-VrNclRPRlnOV8kaC.tNGwwsNc-SkA8qncfCv0a2Vs2IACJ2kDRbeBZYyPcPi";
const googleClientSecret = "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";
export const config = {
  shopifyAccessToken: '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',
  gitlabToken: 'glpat-JNOmK-ZIGiX6YjqTFDa-',
  smtpPassword: "********",
  adminPassword: "admin123",
  sopsAgeRecipients: "age1v9rax3rdqapchznvduy7cucu3s66d0mzupl4xahm2d2j7p2segsn3r5nny",
  accessToken: "TODO",
};
const apiKey = process.env.API_KEY;
const authToken = import.meta.env.VITE_AUTH_TOKEN;
const headers = { Authorization: `Bearer ${token}` };
const img = "data:image/png;base64,KY7K41V7vDLa1uYseBcK1Ce6Qb95R9d7ko8tg+8ijLyFrjGm1q4iy9zMYerJRGiy6CXsOY3B+UYVLw+OjUnq/G57Bs5GVWvejRcw6RRXArMYjOyOFkbQkwov";
const requestId = "72ff90bc-2218-49a1-a42c-e16cd2c266be";
