// A client made as Multipass's is (gRPC C-core C++, SslCredentials with the client's own
// certificate and key, the daemon's root CA, the name `localhost`), written from Multipass's
// facts, none of its code. It makes one call of each kind and prints one line per call:
//   <method> <status code> <replies> <first reply's field> <status message, newlines as \n>
// Usage: multipass-like-client <target> <root-ca.pem> <client.pem> <client-key.pem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <grpcpp/grpcpp.h>
#include "multipass.grpc.pb.h"

static std::string slurp(const char* path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

static std::string oneLine(std::string text) {
  for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 2)) text.replace(at, 1, "\\n");
  return text;
}

static void report(const char* method, const grpc::Status& status, int replies, const std::string& field) {
  std::cout << method << ' ' << status.error_code() << ' ' << replies << " [" << oneLine(field) << "] [" << oneLine(status.error_message()) << "]" << std::endl;
}

// Multipass's streaming calls: one request written, the writes closed, every reply read.
template <typename Reply, typename Stream, typename Request>
static void streaming(const char* method, Stream stream, const Request* request, std::string (*field)(const Reply&)) {
  if (request != nullptr) stream->Write(*request);
  stream->WritesDone();
  Reply reply;
  int replies = 0;
  std::string first;
  while (stream->Read(&reply)) {
    if (replies++ == 0) first = field(reply);
  }
  report(method, stream->Finish(), replies, first);
}

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = slurp(argv[2]);
  ssl.pem_cert_chain = slurp(argv[3]);
  ssl.pem_private_key = slurp(argv[4]);
  grpc::ChannelArguments arguments;
  arguments.SetSslTargetNameOverride("localhost");
  auto stub = multipass::Rpc::NewStub(grpc::CreateCustomChannel(argv[1], grpc::SslCredentials(ssl), arguments));
  {
    grpc::ClientContext context;
    multipass::PingReply reply;
    report("ping", stub->ping(&context, multipass::PingRequest(), &reply), 1, "");
  }
  {
    grpc::ClientContext context;
    multipass::VersionRequest request;
    streaming<multipass::VersionReply>("version", stub->version(&context), &request,
                                       [](const multipass::VersionReply& reply) { return reply.version(); });
  }
  {
    grpc::ClientContext context;
    multipass::VersionRequest request;
    request.set_verbosity_level(3);
    streaming<multipass::VersionReply>("version-v3", stub->version(&context), &request,
                                       [](const multipass::VersionReply& reply) { return std::string(reply.log_line().empty() ? "" : "log line"); });
  }
  {
    grpc::ClientContext context;
    multipass::ListRequest request;
    streaming<multipass::ListReply>("list", stub->list(&context), &request,
                                    [](const multipass::ListReply& reply) { return std::to_string(reply.instance_list().instances_size()); });
  }
  {
    grpc::ClientContext context;
    multipass::GetRequest request;
    request.set_key("local.passphrase");
    streaming<multipass::GetReply>("get", stub->get(&context), &request, [](const multipass::GetReply& reply) { return reply.value(); });
  }
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    streaming<multipass::KeysReply>("keys-without-request", stub->keys(&context), static_cast<const multipass::KeysRequest*>(nullptr),
                                    [](const multipass::KeysReply& reply) { return std::to_string(reply.settings_keys_size()); });
  }
  {
    grpc::ClientContext context;
    multipass::AuthenticateRequest request;
    request.set_passphrase("not the passphrase");
    streaming<multipass::AuthenticateReply>("authenticate", stub->authenticate(&context), &request,
                                            [](const multipass::AuthenticateReply&) { return std::string(); });
  }
  return 0;
}
