import type { NextConfig } from "next";

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // pg loads optional native bindings at run time; bundling it breaks that.
  serverExternalPackages: ["pg"],
};

export default config;
