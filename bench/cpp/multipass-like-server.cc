// A gRPC C-core C++ server configured as Multipass's daemon is, for `npm run bench` to compare
// the daemon's per-call server CPU with (README, Performance). Only the facts of Multipass's
// set-up are followed, none of its code: `multipass.Rpc` on a synchronous server, TLS with
// SslServerCredentials asking for a client certificate without verifying it
// (GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY), and the handler itself checking the
// presented certificate (the auth context's x509_pem_cert) against the trusted ones, here an
// in-memory set of PEM texts. Only `ping` is implemented; the other methods answer
// UNIMPLEMENTED, as generated.
//
// Usage: multipass-like-server <unix:/path> <cert.pem> <key.pem> <trusted-pems-file>
// Prints the address once listening; SIGTERM ends it.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_set>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>

#include "multipass.grpc.pb.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// gRPC hands over the peer certificate as OpenSSL writes PEM (base64 in lines of 64, LF), so
// each trusted certificate is rewritten that way once, at load, and a call's check is one
// exact lookup.
std::string canonical_pem(const std::string& body) {
  std::string base64;
  for (char c : body)
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') base64 += c;
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t at = 0; at < base64.size(); at += 64) pem += base64.substr(at, 64) + "\n";
  return pem + "-----END CERTIFICATE-----\n";
}

std::unordered_set<std::string> load_trusted(const std::string& path) {
  static const std::string begin = "-----BEGIN CERTIFICATE-----";
  static const std::string end = "-----END CERTIFICATE-----";
  const std::string text = read_file(path);
  std::unordered_set<std::string> trusted;
  for (std::size_t at = text.find(begin); at != std::string::npos; at = text.find(begin, at)) {
    const std::size_t body = at + begin.size();
    const std::size_t stop = text.find(end, body);
    if (stop == std::string::npos) break;
    trusted.insert(canonical_pem(text.substr(body, stop - body)));
    at = stop + end.size();
  }
  return trusted;
}

class MultipassLikeRpc final : public multipass::Rpc::Service {
 public:
  explicit MultipassLikeRpc(std::unordered_set<std::string> trusted) : trusted_(std::move(trusted)) {}

  grpc::Status ping(grpc::ServerContext* context, const multipass::PingRequest*, multipass::PingReply*) override {
    const auto certs = context->auth_context()->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (certs.empty()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no client certificate");
    std::string pem(certs.front().data(), certs.front().size());
    while (!pem.empty() && pem.back() == '\0') pem.pop_back();
    if (trusted_.find(pem) == trusted_.end()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "not authenticated");
    return grpc::Status::OK;
  }

 private:
  const std::unordered_set<std::string> trusted_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: " << argv[0] << " <unix:/path> <cert.pem> <key.pem> <trusted-pems-file>\n";
    return 2;
  }
  const std::string address = argv[1];
  MultipassLikeRpc service(load_trusted(argv[4]));

  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  ssl.pem_key_cert_pairs.push_back({read_file(argv[3]), read_file(argv[2])});

  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::SslServerCredentials(ssl));
  builder.RegisterService(&service);
  const std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    std::cerr << "cannot listen on " << address << "\n";
    return 1;
  }
  std::cout << address << std::endl;
  server->Wait();
  return 0;
}
