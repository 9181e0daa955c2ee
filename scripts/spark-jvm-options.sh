# Sourced by ./vqsim and scripts/spark-cluster.sh: the JVM options every Spark JVM here gets.
#
#   spark_jvm_options JAVA     sets the array SPARK_JVM_OPTIONS for that java binary
#
# What Spark 4.2 gives its own JVMs (org.apache.spark.launcher.JavaModuleOptions; the parent pom's
# spark.jvmArgs) plus what Arrow needs (DESIGN.md §8). sun.security.action is gone from JDK 24 on,
# where opening it only prints a warning, so it is left out there.
spark_jvm_options() {
  local java="$1" release action="--add-opens=java.base/sun.security.action=ALL-UNNAMED"
  release="$(dirname "$(dirname "$(readlink -f "$(command -v "$java")")")")/release"
  if [ -f "$release" ] && [ "$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")" -ge 24 ] 2>/dev/null; then action=""; fi
  SPARK_JVM_OPTIONS=(-XX:+IgnoreUnrecognizedVMOptions
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
    $action --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
    --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true
    --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
}
