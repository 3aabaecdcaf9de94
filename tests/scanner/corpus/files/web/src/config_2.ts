import { createClient } from './client';

const clientSecret = "s45D55aTMjij8ypoWybDlfrj-cTTcFkBkKF4PopO";
const clientSecret = "s8svZXXWuDnEeeqPpMEX3EDKlsyTYqckH3E0o6Cs";
const cohereApiKey = "XQQmuSkdtxcQt9NZ0OPLkHovRdKAIwRnhtPNUrfH";
const anthropicApiKey = "sk-ant-api03-I8pnJYW5uZCp3Cc5T-1iBNNMZ2qzjne-jFOJrAD8ji9GkB4yDTJ3KR8e5ruCRrpxdbIev7anEbIkaE2HZ-k97p4r_iCqCAA";
export const config = {
  anthropicApiKey: 'sk-ant-api03-x9ZL6FTaAgdF-vjc2j-6-gK4o9Xh5UA8_4oKMQYRkfKZ0xmT6UMeRPghtjmyVxL83DTa-Yb7kb3VgmAnKv8EpGIJw26qNAA',
  githubToken: 'ghp_2jMxHWxm4bk7jLshd8TVcbztsy4x0CT99jlE',
  openaiApiKey: "sk-...",
  smtpPassword: "********",
  awsAccessKeyId: "AKIAIOSFODNN7EXAMPLE",
  demoPassword: "test123",
};
const apiKey = process.env.API_KEY;
const apiKey = import.meta.env.VITE_API_KEY;
const headers = { Authorization: `Bearer ${token}` };
const img = "data:image/png;base64,uI25AUeBru8QJrE8BXpq6T8ziPPuftKwHjAvmKG0GM/f3K3aFzbxUFqsU8mCa9T/o/h+NZzK236d/Js8zgPJaClvmHc3cJj3Cl+LZVJoK1+lQ+udzqptHHqw";
const requestId = "7081b1b6-f4ee-40e7-aee5-d1b01b3f06f7";
