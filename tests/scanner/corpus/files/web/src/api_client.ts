const key = import.meta.env.VITE_OPENAI_SECRET || "LtOiLPHJS5u4JSLRywMgx7NrV2eVVKPdWfXmtI1s";
const token = process.env.REACT_APP_TOKEN || fallbackToken;
