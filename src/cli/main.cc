// switchyard command line: validate, explain, serve.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"switchyard: an L7 gateway that enforces Istio traffic-management YAML"};
  app.require_subcommand(1);
  app.add_subcommand("version", "print the version")->callback([] { std::puts("switchyard 0.1.0"); });
  CLI11_PARSE(app, argc, argv);
  return 0;
}
