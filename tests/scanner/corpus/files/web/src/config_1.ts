import { createClient } from './client';

const mailgunApiKey = "key-ac3ada3559d5bc020e66dd0fdccf2d98";
const opServiceAccountToken = "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIs4T7GnfS3NCxM82JF7cvEGjeD2KEWSUzgtiHkXIRB2xt4fqRMcDa7mhhpJxrJiYLd6YQsY46q9XxYQM4SxxfvmiUE2+cFHXp6JX0/dfwel26pXhIYCQjM7RrL/2+9+a0bjxt7G9MFtMgcfEQ6n61pygX3SpAHB2MF++5V2EiIsgkPrfGeJQqED+RNe2ybw/bkXLIHCfvoOfvqKX1LDHSO+/Z1wRJRU83ocxnAN4c6OsZpcyzqRj68PoG46BCylAoOazij2QnW2l+flk3obJLQp1C7hiNUB8fg+aKtXaBLSOrG";
const googleClientSecret = "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";
const mistralApiKey = "YzPtd45sPl4wFf8IlCoJNGraVZymKQ6K";
export const config = {
  jwtSecret: 'nfTaXi1z4HTGfpUdybIiRfILFCoWVrU4xZO9RfISvvHipZr5',
  dockerhubToken: 'dckr_pat_0k8GUjBTQ55F5MHC34XAOteXiQI',
  secretName: "prod/payments/stripe",
  buildCommit: "e732cd79c5143cd7c1f3b8741fc3861e7006a81c",
  apiToken: "your-api-token-here",
  dbPassword: "changeme",
};
const apiKey = process.env.API_KEY;
const apiKey = import.meta.env.VITE_API_KEY;
const headers = { Authorization: `Bearer ${token}` };
const img = "data:image/png;base64,6zir4Zo3ygoLKrO669o1LtIOaIZkIHK6t/T1gkdFVe4oeOIy+gXBUfDDOTHerOeFpcvJXecp2fmBF7v87OOi7nVP/TfMoLSE+FazHnCR0kjpH55fF9eYVOu5";
const requestId = "47f3b6ff-07d4-4ef6-a501-d4c0227fc4c4";
